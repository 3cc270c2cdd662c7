using RotationDashboard.Testing;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Application.Rotations.Bulk;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Tests.Api;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Rotations.Bulk;

/// <summary>Bulk rotation and onboarding through their use cases, against the in-app sandbox tenant and real SQLite.</summary>
[Collection(ApiAppCollection.Name)]
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class BulkRotationTests(ApiAppFactory app)
{
    [Fact]
    public async Task One_failing_rotation_does_not_stop_the_others_and_the_summary_says_why_it_failed()
    {
        var first = await BulkTestRotations.CreateAsync(app, "independent-a");
        var failing = await BulkTestRotations.CreateAsync(app, "independent-b", RotationStrategy.PrivateKeyJwt);
        var third = await BulkTestRotations.CreateAsync(app, "independent-c");
        foreach (var path in new[] { $"/api/v2/clients/{failing.ClientId}", $"/api/v2/clients/{failing.ClientId}/**" })
        {
            app.Sandbox.AddFailure(new SandboxFailureRule("*", path, 400,
                """{"statusCode":400,"error":"Bad Request","message":"Injected refusal for the bulk test","errorCode":"invalid_body"}""", Times: 1000));
        }

        BulkOperationView summary;
        try
        {
            var started = await app.Get<StartBulkRotation>().ExecuteAsync(
                BulkRotationSet.OfFilter(new() { Search = "independent-" }), DashboardAppFactory.Admin, RunTrigger.Manual);
            Assert.True(started.Succeeded, started.Failure?.Message);
            summary = await BulkTestRotations.WaitAsync(app, started.Value);
        }
        finally
        {
            app.Sandbox.SetFaults(SandboxFaults.None);
        }

        Assert.Equal((3, 2, 1), (summary.Total, summary.Succeeded, summary.Failed));
        var failed = Assert.Single(summary.Items, i => i.State == BulkItemState.Failed);
        Assert.Equal(failing.RotationId, failed.RotationId);
        Assert.False(string.IsNullOrWhiteSpace(failed.Message));
        Assert.Contains(summary.Items, i => i.RotationId == first.RotationId && i.State == BulkItemState.Succeeded && i.RunId is not null);
        Assert.Contains(summary.Items, i => i.RotationId == third.RotationId && i.State == BulkItemState.Succeeded);
        Assert.Equal(TimeSpan.Zero, summary.EstimatedRemaining);

        await using var db = await app.CreateContextAsync();
        var audit = await db.AuditEvents.Where(e => e.Action == BulkAudit.Rotate && e.TargetId == summary.Id.ToString()).Select(e => e.Details).ToListAsync();
        Assert.Contains(audit, d => d!.Contains("Started on 3 rotation(s)", StringComparison.Ordinal) && d.Contains("search \"independent-\"", StringComparison.Ordinal));
        Assert.Contains(audit, d => d!.Contains("2 succeeded, 1 failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Onboarding_creates_one_rotation_per_application_named_by_the_patterns()
    {
        await app.EnsureFolderAsync("dev", "/onboarded");
        var ids = new[] { "Billing Export", "Ledger Sync 2", "Report-Mailer" }
            .Select(name => app.NewApplication(name + " " + Guid.NewGuid().ToString("N")[..4]))
            .ToList();
        var started = await app.Get<OnboardApplications>().ExecuteAsync(await RequestAsync(ids, "/onboarded"), DashboardAppFactory.Admin);
        Assert.True(started.Succeeded, started.Failure?.ToString());
        var summary = await BulkTestRotations.WaitAsync(app, started.Value);

        Assert.Equal(BulkOperationKind.Onboard, summary.Kind);
        Assert.True(summary.Succeeded == 3, string.Join("; ", summary.Items.Select(i => i.Message)));
        await using var db = await app.CreateContextAsync();
        var created = await db.Rotations.Where(r => ids.Contains(r.Parameters.ClientId)).ToListAsync();
        Assert.Equal(3, created.Count);
        var billing = Assert.Single(created, r => r.Name.StartsWith("billing-export-", StringComparison.Ordinal));
        Assert.EndsWith("-rotation", billing.Name, StringComparison.Ordinal);
        Assert.StartsWith("BILLING_EXPORT_", billing.SecretsMapping.ClientSecret, StringComparison.Ordinal);
        Assert.EndsWith("_CLIENT_SECRET", billing.SecretsMapping.ClientSecret, StringComparison.Ordinal);
        Assert.All(created, r => Assert.Equal(RotationStatus.Success, r.RotationStatus));
        Assert.Equal(created.Select(r => r.Id).Order(), summary.Items.Select(i => i.RotationId!.Value).Order());
    }

    [Fact]
    public async Task Onboarding_refuses_duplicates_owned_and_unknown_applications_each_with_its_reason_and_changes_nothing()
    {
        await app.EnsureFolderAsync("dev", "/onboard-refused");
        var owned = await BulkTestRotations.CreateAsync(app, "already-owned", path: "/onboard-refused");
        var twinName = "Twin " + Guid.NewGuid().ToString("N")[..4];
        var twinA = app.NewApplication(twinName);
        var twinB = app.NewApplication(twinName);
        var fine = app.NewApplication("Fine " + Guid.NewGuid().ToString("N")[..4]);
        var rotationsBefore = await app.RotationCountAsync();
        var mutationsBefore = app.SandboxRequests.Mutations.Count;

        var result = await app.Get<OnboardApplications>().ExecuteAsync(
            await RequestAsync([owned.ClientId, twinA, twinB, fine, "no-such-client"], "/onboard-refused"), DashboardAppFactory.Admin);

        Assert.False(result.Succeeded);
        var errors = result.Failure!.Errors;
        Assert.Contains(errors[$"applications[{owned.ClientId}]"], m => m.Contains("Already rotated by \"already-owned\"", StringComparison.Ordinal));
        Assert.Contains(errors[$"applications[{twinB}]"], m => m.Contains($"also the name given to {twinA}", StringComparison.Ordinal));
        Assert.Contains(errors["applications[no-such-client]"], m => m.Contains("Not an application of this tenant", StringComparison.Ordinal));
        Assert.False(errors.ContainsKey($"applications[{fine}]"));
        Assert.Equal(rotationsBefore, await app.RotationCountAsync());
        Assert.Equal(mutationsBefore, app.SandboxRequests.Mutations.Count);
    }

    [Fact]
    public async Task A_viewer_may_neither_rotate_in_bulk_nor_onboard_and_nothing_starts()
    {
        await BulkTestRotations.CreateAsync(app, "viewer-refused");
        await using (var before = await app.CreateContextAsync())
        {
            var operations = await before.Set<BulkOperation>().CountAsync();
            await Assert.ThrowsAsync<ForbiddenActionException>(() => app.Get<StartBulkRotation>().ExecuteAsync(
                BulkRotationSet.OfFilter(new() { Search = "viewer-refused" }), DashboardAppFactory.Victor, RunTrigger.Manual));
            var onboarding = await RequestAsync([app.NewApplication("Viewer onboarding")], "/");
            await Assert.ThrowsAsync<ForbiddenActionException>(() => app.Get<OnboardApplications>().ExecuteAsync(onboarding, DashboardAppFactory.Victor));
            await using var after = await app.CreateContextAsync();
            Assert.Equal(operations, await after.Set<BulkOperation>().CountAsync());
        }
    }

    private async Task<BulkOnboardingRequest> RequestAsync(IReadOnlyList<string> clientIds, string path) => new()
    {
        ConnectionId = await app.SandboxConnectionIdAsync(),
        ClientIds = clientIds,
        ProjectId = await app.DefaultProjectIdAsync(),
        Environment = "dev",
        SecretPath = path,
        IsAutoRotationEnabled = false,
    };
}
