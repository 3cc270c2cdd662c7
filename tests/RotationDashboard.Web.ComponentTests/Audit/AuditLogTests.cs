using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Core.Audit;
using RotationDashboard.Testing;
using RotationDashboard.Web.ComponentTests.Infrastructure;
using RotationDashboard.Web.ComponentTests.Settings;
using RotationDashboard.Web.Components.Audit.Pages;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services;
using RotationDashboard.Web.Services.Audit;

namespace RotationDashboard.Web.ComponentTests.Audit;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class AuditLogTests : ComponentTestContext
{
    private readonly FakeAuditLog _audit = new();

    public AuditLogTests()
    {
        Services.AddAdminPageServices();
        Services.AddSingleton<IAuditLog>(_audit);
        SignIn("Ada Admin", DashboardRoles.Admin);
    }

    [Fact]
    public void The_first_page_is_read_on_the_server_25_at_a_time_and_shows_the_events()
    {
        _audit.Add(60);

        var page = Render<AuditLog>();

        page.WaitForAssertion(() => Assert.Equal(25, page.FindAll("[data-testid=audit-row-action]").Count));
        var query = _audit.Queries.Last();
        Assert.Equal((0, 25), (query.Skip, query.Take));
        Assert.Contains("secret.reveal", page.Find("[data-testid=audit-grid]").TextContent);
        Assert.Contains("1-25 of 60", page.Find("[data-testid=audit-grid]").TextContent);
    }

    [Fact]
    public void The_next_page_asks_the_server_for_the_next_25()
    {
        _audit.Add(60);
        var page = Render<AuditLog>();
        page.WaitForAssertion(() => Assert.Equal(25, page.FindAll("[data-testid=audit-row-action]").Count));

        page.Find("button[aria-label='Next page']").Click();

        page.WaitForAssertion(() => Assert.Equal((25, 25), (_audit.Queries.Last().Skip, _audit.Queries.Last().Take)));
    }

    [Fact]
    public void Applying_filters_sends_them_trimmed_to_the_server()
    {
        _audit.Add(3);
        var page = Render<AuditLog>();
        page.WaitForAssertion(() => Assert.NotEmpty(_audit.Queries));

        page.Find("input[data-testid=audit-action]").Input("  secret.reveal ");
        page.Find("input[data-testid=audit-actor]").Input("user:ada");
        page.Find("[data-testid=audit-apply]").Click();

        page.WaitForAssertion(() => Assert.Equal(("secret.reveal", "user:ada"), (_audit.Queries.Last().Action, _audit.Queries.Last().Actor)));
        Assert.Null(_audit.Queries.Last().Target);
    }

    [Fact]
    public void No_matching_events_says_so()
    {
        var page = Render<AuditLog>();

        page.WaitForAssertion(() => Assert.Contains("No audit events match these filters.", page.Find("[data-testid=audit-empty]").TextContent));
    }

    [Fact]
    public void A_log_that_cannot_be_read_shows_an_error_rather_than_an_empty_log()
    {
        _audit.Failure = new InvalidOperationException("database is locked");

        var page = Render<AuditLog>();

        page.WaitForAssertion(() => Assert.Contains("could not be read", page.Find("[data-testid=audit-error]").TextContent));
    }

    private sealed class FakeAuditLog : IAuditLog
    {
        private readonly List<AuditEventView> _events = [];

        public List<AuditQuery> Queries { get; } = [];

        public Exception? Failure { get; set; }

        public void Add(int count)
        {
            for (var i = 0; i < count; i++)
            {
                _events.Add(new AuditEventView(i, DateTimeOffset.UtcNow.AddMinutes(-i), ActorType.User, "ada", i % 2 == 0 ? "secret.reveal" : "rotation.create",
                    "secret", Guid.NewGuid().ToString(), "PAYMENTS_API_KEY", AuditOutcome.Success, null));
            }
        }

        public Task WriteAsync(Actor actor, string action, AuditTarget target, AuditOutcome outcome, string? details = null,
            CancellationToken cancellationToken = default) => throw new NotSupportedException("The page only reads.");

        public Task<PagedResult<AuditEventView>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
        {
            Queries.Add(query);
            if (Failure is not null) throw Failure;
            return Task.FromResult(new PagedResult<AuditEventView>(_events.Skip(query.Skip).Take(query.Take).ToList(), _events.Count));
        }
    }
}
