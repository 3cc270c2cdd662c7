using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Web.Application.Dashboard;
using RotationDashboard.Web.ComponentTests.Infrastructure;
using RotationDashboard.Web.Hosting;
using RotationDashboard.Web.Services;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.ComponentTests.Rotations;

/// <summary>
/// What the rotation list and the dashboard need around them: a fixed clock, the browser's time zone (UTC), the run
/// notifier the app uses, the signed-in user, and in-memory rotations behind the list's read interfaces.
/// </summary>
public abstract class RotationListTestContext : ComponentTestContext
{
    protected static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    protected RotationListTestContext()
    {
        Services.AddLogging();
        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddSingleton<IRotationRunNotifier>(Notifier);
        Services.AddScoped<BrowserTimeZone>();
        Services.AddSingleton<IRotationListReads>(Rotations);
        Services.AddSingleton<IConnectionListReads>(Connections);
        Services.AddSingleton<IRunsPerDay>(RunsPerDay);
        Services.AddSingleton<IUpcomingRotations>(Upcoming);
        // As in the app once the circuit runs: live updates subscribe only then.
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    protected FakeTimeProvider Clock { get; } = new(Now);

    protected RotationRunNotifier Notifier { get; } = new(Microsoft.Extensions.Logging.Abstractions.NullLogger<RotationRunNotifier>.Instance);

    protected FakeRotationListReads Rotations { get; } = new();

    protected FakeConnectionListReads Connections { get; } = new();

    protected FakeRunsPerDay RunsPerDay { get; } = new();

    protected FakeUpcomingRotations Upcoming { get; } = new();

    protected static RotationListItem Item(string name, RotationStrategy strategy = RotationStrategy.Staged, string? status = "success",
        bool autoRotation = true, DateTimeOffset? next = null, string? message = null, bool rotating = false) =>
        new(Guid.NewGuid(), name, "About " + name, "auth0-client-secret", strategy, FakeConnectionListReads.SandboxId, "Sandbox tenant",
            Guid.NewGuid(), Guid.NewGuid(), "dev", "Development", Guid.NewGuid(), "/", "client-" + name, "App " + name,
            new SecretsMapping("CLIENT_ID", "CLIENT_SECRET"), status, autoRotation, 30, RotateAtUtc.Midnight,
            autoRotation ? next ?? Now.AddDays(20) : null, Now.AddDays(-10), Now.AddDays(-10), message, rotating, 1);
}

/// <summary>The rotation list over a list in memory: filters, search, sorting by name and paging as the SQL query does them.</summary>
public sealed class FakeRotationListReads : IRotationListReads
{
    public List<RotationListItem> Items { get; } = [];

    public List<RotationDashboardQuery> Queries { get; } = [];

    public Exception? Failure { get; set; }

    public RotationSummary? Summary { get; set; }

    public Task<PagedResult<RotationListItem>> QueryAsync(RotationDashboardQuery query, CancellationToken cancellationToken = default)
    {
        Queries.Add(query);
        if (Failure is not null)
        {
            return Task.FromException<PagedResult<RotationListItem>>(Failure);
        }

        var rows = Items.AsEnumerable();
        rows = query.Filter switch
        {
            RotationListFilter.Failed => rows.Where(r => r.RotationStatus == "failed"),
            RotationListFilter.AutoRotationOff => rows.Where(r => !r.IsAutoRotationEnabled),
            _ => rows,
        };
        if (query.Strategy is { } strategy)
        {
            rows = rows.Where(r => r.Strategy == strategy);
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            rows = rows.Where(r => r.Name.Contains(query.Search.Trim(), StringComparison.OrdinalIgnoreCase));
        }

        var ordered = query.Descending ? rows.OrderByDescending(r => r.Name, StringComparer.Ordinal) : rows.OrderBy(r => r.Name, StringComparer.Ordinal);
        var all = ordered.ToList();
        return Task.FromResult(new PagedResult<RotationListItem>(all.Skip(query.Skip).Take(query.Take).ToList(), all.Count));
    }

    public Task<RotationSummary> GetSummaryAsync(Guid? projectId = null, CancellationToken cancellationToken = default) =>
        Failure is not null
            ? Task.FromException<RotationSummary>(Failure)
            : Task.FromResult(Summary ?? new RotationSummary(Items.Count, Items.Count(i => i.RotationStatus == "failed"), 0,
                Items.Count(i => !i.IsAutoRotationEnabled), Items.Count(i => i.Strategy == RotationStrategy.SinglePhase && i.IsAutoRotationEnabled), 0));
}

public sealed class FakeConnectionListReads : IConnectionListReads
{
    public static readonly Guid SandboxId = Guid.Parse("6f1b8c2e-1111-4c1e-9d35-5b1c0c0a0a01");

    public Task<IReadOnlyList<ConnectionView>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ConnectionView>>(
        [
            new ConnectionView(SandboxId, "Sandbox tenant", "client-secret", "sandbox.example", "cid", "https://sandbox.example/api/v2/",
                true, null, true, null, [], new Dictionary<RotationType, IReadOnlyList<string>>(), 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch),
        ]);
}

    public sealed class FakeRunsPerDay : IRunsPerDay
    {
        public IReadOnlyList<DayRuns> Days { get; set; } = [];

        public Task<IReadOnlyList<DayRuns>>? Pending { get; set; }

        public Task<IReadOnlyList<DayRuns>> GetAsync(int days, CancellationToken cancellationToken = default) => Pending ?? Task.FromResult(Days);
    }

    public sealed class FakeUpcomingRotations : IUpcomingRotations
    {
        public UpcomingRotationsView View { get; set; } = new([], 0, 30);

        public Exception? Failure { get; set; }

        public Task<UpcomingRotationsView> GetAsync(int days, int take, CancellationToken cancellationToken = default) =>
            Failure is null ? Task.FromResult(View) : Task.FromException<UpcomingRotationsView>(Failure);
    }
