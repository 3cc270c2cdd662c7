using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RotationDashboard.Benchmarks.Infrastructure;
using RotationDashboard.Core.Projects;
using RotationDashboard.Web.Application.Connections;
using RotationDashboard.Web.Application.Dashboard;
using RotationDashboard.Web.Components.Dashboard.Pages;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Rotations;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Benchmarks.Benchmarks;

/// <summary>
/// The dashboard page over 10,000 rotations and their run history, rendered server-side as the prerender of a GET /
/// does it: the real dashboard in this process (SQLite file database), an Admin's authentication state, and Blazor's
/// HtmlRenderer over a fresh DI scope per render. The rotation table's first page is loaded by MudDataGrid once the
/// circuit runs (ServerData), so it is timed separately, and the sum is what the server spends before a person sees rows.
/// </summary>
public sealed class DashboardPageBenchmark : IBenchmark
{
    private const int Rotations = 10_000;
    private const int RunsPerRotation = 10;
    private const int RunHistoryDays = 180;
    private const int Renders = 50;

    public string Name => "dashboard-page";

    public string Description =>
        $"The dashboard page (/) rendered server-side with HtmlRenderer over {Rotations:N0} rotations and {Rotations * RunsPerRotation:N0} runs " +
        $"spread over {RunHistoryDays} days (SQLite, the real dashboard in process, signed in as an Admin): summary counts, runs per day for 90 days, " +
        $"the rotations due in 30 days; then the table's first page of 25 (MudDataGrid ServerData); {Renders} sequential renders after 5 warm-ups.";

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        context.Progress.WriteLine("  starting the dashboard with its sandbox tenant...");
        await using var dashboard = await InProcessDashboard.StartAsync(new Dictionary<string, string>
        {
            ["Sandbox:Enabled"] = "true",
            ["Sandbox:AllowOutsideDevelopment"] = "true",
            ["Sandbox:AdminSecret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Sandbox:PublicBaseUrl"] = "http://127.0.0.1",
            ["Sandbox:PersistState"] = "false",
        }, cancellationToken);
        var services = dashboard.Services;
        await SeedAsync(services, context, cancellationToken);

        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "benchmark@example.invalid"), new Claim(DashboardRoles.ClaimType, DashboardRoles.Admin)], "benchmark"));
        var loggerFactory = services.GetRequiredService<ILoggerFactory>();
        var reads = services.GetRequiredService<IRotationListReads>();

        async Task<string> RenderAsync()
        {
            await using var scope = services.CreateAsyncScope();
            var authentication = (IHostEnvironmentAuthenticationStateProvider)scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();
            authentication.SetAuthenticationState(Task.FromResult(new AuthenticationState(principal)));
            await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggerFactory);
            return await renderer.Dispatcher.InvokeAsync(async () => (await renderer.RenderComponentAsync<DashboardPageHost>()).ToHtmlString());
        }

        Task FirstPageAsync(CancellationToken token) => reads.QueryAsync(new RotationDashboardQuery { Take = 25 }, token);

        var html = await RenderAsync();
        if (!html.Contains("10,000", StringComparison.Ordinal) || !html.Contains("data-testid=\"runs-per-day-summary\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The rendered dashboard does not show the seeded rotations and runs.");
        }

        for (var i = 0; i < 5; i++)
        {
            await RenderAsync();
            await FirstPageAsync(cancellationToken);
        }

        var budget = TimeSpan.FromSeconds(60);
        var page = await Measure.SequentialAsync(Renders, budget, (_, _) => RenderAsync(), cancellationToken);
        var table = await Measure.SequentialAsync(Renders, budget, (_, token) => FirstPageAsync(token), cancellationToken);
        var both = await Measure.SequentialAsync(Renders, budget, async (_, token) =>
        {
            await RenderAsync();
            await FirstPageAsync(token);
        }, cancellationToken);
        var runsPerDay = (RunsPerDay)services.GetRequiredService<IRunsPerDay>();
        var cold = await Measure.SequentialAsync(Renders, budget, (_, _) =>
        {
            runsPerDay.Forget();
            return RenderAsync();
        }, cancellationToken);
        return
        [
            BenchmarkRow.From(Name, "page prerender, run history not kept", cold, "render", "first render after a run finished"),
            BenchmarkRow.From(Name, "page prerender (HtmlRenderer)", page, "render", $"{html.Length / 1024:N0} KiB of HTML; past days kept"),
            BenchmarkRow.From(Name, "table first page (ServerData)", table, "query"),
            BenchmarkRow.From(Name, "page + first table page", both, "render", "past days kept; target: median ≤ 200 ms"),
        ];
    }

    private static async Task SeedAsync(IServiceProvider services, BenchmarkContext context, CancellationToken cancellationToken)
    {
        var connection = (await services.GetRequiredService<ConnectionQueries>().ListAsync(cancellationToken))
            .Single(c => c.Name == SandboxConnections.DefaultConnectionName);
        await using var db = await services.GetRequiredService<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync(cancellationToken);
        var projectId = await db.Projects.Where(p => p.Slug == Project.DefaultSlug).Select(p => p.Id).SingleAsync(cancellationToken);
        context.Progress.WriteLine($"  seeding {Rotations:N0} rotations and {Rotations * RunsPerRotation:N0} runs...");
        await RotationSeeding.InsertRotationsAsync(db, connection.Id, projectId, Rotations);
        await RotationSeeding.InsertRunsAsync(db, RunsPerRotation, RunHistoryDays);
        await db.Database.ExecuteSqlRawAsync("ANALYZE;", cancellationToken);
    }
}

/// <summary>The page inside what the layout gives every page and its selects need: the popover provider.</summary>
internal sealed class DashboardPageHost : Microsoft.AspNetCore.Components.ComponentBase
{
    protected override void BuildRenderTree(Microsoft.AspNetCore.Components.Rendering.RenderTreeBuilder builder)
    {
        builder.OpenComponent<MudBlazor.MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<Home>(1);
        builder.CloseComponent();
    }
}
