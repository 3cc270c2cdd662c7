using RotationDashboard.Testing;
using RotationDashboard.Core.Audit;
using RotationDashboard.Web.Services.Audit;
using RotationDashboard.Web.Tests.Data;

namespace RotationDashboard.Web.Tests.Services;

[Trait(TestKind.Trait, TestKind.Unit)]
public class AuditLogServiceTests
{
    [Fact]
    public async Task Query_pages_newest_first_with_a_total_count()
    {
        await using var database = await TestDatabase.CreateAsync();
        var log = database.CreateAuditLog();
        for (var i = 0; i < 25; i++)
        {
            await log.WriteAsync(Actor.User("ada"), AuditActions.SecretReveal, new AuditTarget("secret", $"id-{i}", $"KEY_{i}"), AuditOutcome.Success);
            if (i % 2 == 0)
            {
                database.Clock.Advance(TimeSpan.FromMinutes(1)); // pairs share a timestamp: the id breaks the tie
            }
        }

        var first = await log.QueryAsync(new AuditQuery { Take = 10 });
        var last = await log.QueryAsync(new AuditQuery { Skip = 20, Take = 10 });

        Assert.Equal(25, first.TotalCount);
        Assert.Equal(Enumerable.Range(15, 10).Reverse().Select(i => $"KEY_{i}"), first.Items.Select(e => e.TargetName));
        Assert.Equal(Enumerable.Range(0, 5).Reverse().Select(i => $"KEY_{i}"), last.Items.Select(e => e.TargetName));
        Assert.Equal(25, last.TotalCount);
        Assert.Equal("user:ada", first.Items[0].Actor);
    }

    [Fact]
    public async Task Query_filters_by_actor_action_target_outcome_and_date_range()
    {
        await using var database = await TestDatabase.CreateAsync();
        var log = database.CreateAuditLog();
        var start = database.Clock.GetUtcNow();
        await log.WriteAsync(Actor.User("ada@example.com"), AuditActions.SecretCreate, AuditTarget.Secret(Guid.NewGuid(), "DB_PASSWORD"), AuditOutcome.Success);
        database.Clock.Advance(TimeSpan.FromHours(1));
        await log.WriteAsync(Actor.Token("ci_deploy"), AuditActions.SecretReveal, AuditTarget.Secret(Guid.NewGuid(), "API_KEY"), AuditOutcome.Denied, "Scope does not cover /payments.");
        database.Clock.Advance(TimeSpan.FromHours(1));
        var rotationId = Guid.NewGuid();
        await log.WriteAsync(Actor.Scheduler, AuditActions.RotationRotate, AuditTarget.Rotation(rotationId, "my-auth0-rotation"), AuditOutcome.Failure);

        async Task<string[]> Names(AuditQuery query) => (await log.QueryAsync(query)).Items.Select(e => e.TargetName!).ToArray();

        Assert.Equal(["DB_PASSWORD"], await Names(new AuditQuery { Actor = "ADA" }));
        Assert.Equal(["DB_PASSWORD"], await Names(new AuditQuery { Actor = "user:ada" }));
        Assert.Empty(await Names(new AuditQuery { Actor = "token:ada" }));
        Assert.Equal(["API_KEY"], await Names(new AuditQuery { Actor = "ci_" })); // '_' is literal, not a wildcard
        Assert.Empty(await Names(new AuditQuery { Actor = "c%" }));
        Assert.Equal(["API_KEY", "DB_PASSWORD"], await Names(new AuditQuery { Action = "secret." }));
        Assert.Equal(["my-auth0-rotation"], await Names(new AuditQuery { Target = "auth0" }));
        Assert.Equal(["my-auth0-rotation"], await Names(new AuditQuery { Target = rotationId.ToString() }));
        Assert.Equal(["API_KEY", "DB_PASSWORD"], await Names(new AuditQuery { Target = "_" }));
        Assert.Equal(["my-auth0-rotation"], await Names(new AuditQuery { Target = "rotation" }));
        Assert.Equal(["API_KEY"], await Names(new AuditQuery { Outcome = AuditOutcome.Denied }));
        Assert.Equal(["API_KEY"], await Names(new AuditQuery { From = start.AddMinutes(30), To = start.AddHours(2) }));
        Assert.Equal(["DB_PASSWORD"], await Names(new AuditQuery { To = start.AddHours(1) }));
        Assert.Equal(1, (await log.QueryAsync(new AuditQuery { Outcome = AuditOutcome.Failure, Take = 0 })).TotalCount);
    }
}
