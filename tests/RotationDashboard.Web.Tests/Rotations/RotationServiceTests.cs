using RotationDashboard.Testing;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RotationDashboard.Client;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Services.Rotations;
using RotationDashboard.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RotationDashboard.Web.Tests.Rotations;

[Trait(TestKind.Trait, TestKind.Integration)]
public class RotationServiceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Mapped_secret_names_are_reserved_even_before_the_first_value_is_written()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);

        // The first issuance fails at Apply, so the single-phase rotation has written no secret yet.
        host.Sandbox.AddFailure(new SandboxFailureRule("PATCH", "/api/v2/clients/*", 400,
            """{"statusCode":400,"error":"Bad Request","message":"Injected refusal","errorCode":"invalid_body"}""", Times: 1000));
        var failed = await host.CreateRotation.ExecuteAsync(await host.RequestAsync("unissued", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase), EngineTestHost.Admin);
        host.Sandbox.ClearFaults();
        Assert.Equal("failed", failed.Value.RotationStatus);
        Assert.Empty(await host.Secrets.ListSecretsAsync(failed.Value.FolderId));

        var byHand = await host.Secrets.CreateSecretAsync(failed.Value.FolderId, "UNISSUED_CLIENT_SECRET", "manual", Actor.User("ada"));
        var other = await host.CreateRotation.ExecuteAsync((await host.RequestAsync("unissued-too", SandboxSeed.BillingServiceClientId, RotationStrategy.SinglePhase))
            .With(s => s with { SecretsMapping = new SecretsMapping("OTHER_CLIENT_ID", ClientSecret: "UNISSUED_CLIENT_SECRET") }), EngineTestHost.Admin);
        var manual = (await host.Secrets.CreateSecretAsync(failed.Value.FolderId, "SOMETHING_ELSE", "manual", Actor.User("ada"))).Value;
        var renamed = await host.Secrets.UpdateSecretAsync(manual.Id, new RotationDashboard.Web.Services.Secrets.SecretUpdate(NewKey: "UNISSUED_CLIENT_ID"), Actor.User("ada"));

        const string reserved = "The secret name \"UNISSUED_CLIENT_SECRET\" is reserved: rotation \"unissued\" maps it and writes its value.";
        Assert.Equal([reserved], byHand.Failure!.Errors["key"]);
        Assert.Equal([reserved], other.Failure!.Errors["secretsMapping"]);
        Assert.Contains("\"UNISSUED_CLIENT_ID\" is reserved", renamed.Failure!.Errors["key"][0], StringComparison.Ordinal);

        // Rotate now writes the mapped secrets as the rotation's own.
        var rotated = await host.RotateNow.ExecuteAsync(failed.Value.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: true);
        Assert.Equal("success", rotated.Value.Rotation.RotationStatus);
        Assert.Contains(await host.Secrets.ListSecretsAsync(failed.Value.FolderId), s => s.Key == "UNISSUED_CLIENT_SECRET" && s.IsOwnedByRotation);
    }

    [Fact]
    public async Task The_application_name_from_auth0_is_kept_shown_and_searchable()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var rotation = await host.CreateAsync(await host.RequestAsync("named", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase));

        var page = await host.Rotations.QueryAsync(new RotationDashboardQuery { Search = "payments api" });

        Assert.Equal("Payments API worker", rotation.ApplicationName);
        Assert.Equal([("named", "Payments API worker")], page.Items.Select(i => (i.Name, i.ApplicationName)));
    }

    [Fact]
    public async Task Credential_slots_without_values_are_listed_without_an_audited_reveal()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var rotation = await host.CreateAsync(await host.RequestAsync("slots", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase));
        await host.RotateNow.ExecuteAsync(rotation.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: true);
        var audit = host.Services.GetRequiredService<RotationDashboard.Web.Services.Audit.IAuditLog>();
        var reveals = await audit.QueryAsync(new RotationDashboard.Web.Services.Audit.AuditQuery { Action = AuditActions.RotationRevealCredentials });

        var slots = (await host.Rotations.GetCredentialSlotsAsync(rotation.Id))!;

        Assert.Equal([(CredentialStage.Current, true), (CredentialStage.Previous, false)],
            slots.GeneratedCredentials.OrderBy(s => s.Stage == CredentialStage.Current ? 0 : 1).Select(s => (s.Stage, s.IsValid)));
        Assert.All(slots.GeneratedCredentials, s => Assert.Equal((null, null, SandboxSeed.PaymentsWorkerClientId), (s.ClientSecret, s.PrivateKeyPem, s.ClientId)));
        Assert.Equal(reveals.TotalCount, (await audit.QueryAsync(new RotationDashboard.Web.Services.Audit.AuditQuery { Action = AuditActions.RotationRevealCredentials })).TotalCount);
        Assert.Null(await host.Rotations.GetCredentialSlotsAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task Update_renames_the_mapped_secrets_and_refuses_a_name_taken_in_the_folder()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var first = await host.CreateAsync(await host.RequestAsync("first", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase));
        await host.CreateAsync(await host.RequestAsync("second", SandboxSeed.BillingServiceClientId, RotationStrategy.SinglePhase));

        var taken = await host.UpdateRotation.ExecuteAsync(first.Id, new RotationChanges { Name = "second" }, EngineTestHost.Admin);
        var clash = await host.UpdateRotation.ExecuteAsync(first.Id, new RotationChanges { SecretsMapping = new SecretsMapping("SECOND_CLIENT_ID", ClientSecret: "FIRST_CLIENT_SECRET") }, EngineTestHost.Admin);
        var renamed = await host.UpdateRotation.ExecuteAsync(first.Id, new RotationChanges
        {
            Name = "payments-worker",
            Description = "Payments worker secret",
            SecretsMapping = new SecretsMapping("FIRST_CLIENT_ID", ClientSecret: "PAYMENTS_SECRET"),
        }, EngineTestHost.Admin);

        Assert.Equal(OperationFailureKind.Validation, taken.Failure!.Kind);
        Assert.Contains("already exists", taken.Failure.Errors["name"][0], StringComparison.Ordinal);
        Assert.Equal(OperationFailureKind.Validation, clash.Failure!.Kind);
        Assert.True(renamed.Succeeded, renamed.ToString());
        Assert.Equal(("payments-worker", "Payments worker secret", "PAYMENTS_SECRET"), (renamed.Value.Name, renamed.Value.Description, renamed.Value.SecretsMapping.ClientSecret));
        var keys = (await host.Secrets.ListSecretsAsync(first.FolderId)).Where(s => s.OwnerRotationId == first.Id).Select(s => s.Key).Order().ToList();
        Assert.Equal(["FIRST_CLIENT_ID", "PAYMENTS_SECRET"], keys);
        await host.AssertConsumerAuthenticatesAsync(renamed.Value);

        // The renamed secret is still the one the next rotation writes.
        var rotated = await host.RotateNow.ExecuteAsync(first.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: true);
        Assert.Equal(RunStatus.Succeeded, rotated.Value.Run.Status);
        await host.AssertConsumerAuthenticatesAsync(rotated.Value.Rotation);
        Assert.Equal(host.Sandbox.GetClientSecret(SandboxSeed.PaymentsWorkerClientId), (await host.RotationSecrets.ReadCurrentAsync(first.FolderId, "PAYMENTS_SECRET"))!.Value);
    }

    [Fact]
    public async Task Delete_with_revoke_kills_the_secret_and_releases_or_deletes_the_mapped_secrets()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var kept = await host.CreateAsync(await host.RequestAsync("kept", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase, autoRotation: true));
        var gone = await host.CreateAsync(await host.RequestAsync("gone", SandboxSeed.BillingServiceClientId, RotationStrategy.Staged, autoRotation: true));
        var keptCredentials = (await host.ConsumerCredentialsAsync(kept))!;

        var revoked = await host.DeleteRotation.ExecuteAsync(kept.Id, revokeGeneratedCredentials: true, deleteSecrets: false, EngineTestHost.Admin);
        var deleted = await host.DeleteRotation.ExecuteAsync(gone.Id, revokeGeneratedCredentials: false, deleteSecrets: true, EngineTestHost.Admin);

        Assert.Equal("kept", revoked.Value.Name);
        Assert.Null(await host.Rotations.GetAsync(kept.Id));
        Assert.Null(await host.Scheduler.GetNextFireTimeAsync(kept.Id));
        Assert.Null(await host.Scheduler.GetNextFireTimeAsync(gone.Id));
        var stale = await host.TokenClient(new StaticCredentialSource(keptCredentials)).GetTokenAsync().ContinueWith(t => t.Exception?.InnerException);
        Assert.IsType<Auth0TokenException>(stale);

        var secrets = await host.Secrets.ListSecretsAsync(kept.FolderId);
        Assert.All(secrets.Where(s => s.Key.StartsWith("KEPT_", StringComparison.Ordinal)), s => Assert.False(s.IsOwnedByRotation));
        Assert.Equal(2, secrets.Count(s => s.Key.StartsWith("KEPT_", StringComparison.Ordinal)));
        Assert.DoesNotContain(secrets, s => s.Key.StartsWith("GONE_", StringComparison.Ordinal));
        Assert.True((await host.Secrets.UpdateSecretAsync(secrets.First(s => s.Key == "KEPT_CLIENT_SECRET").Id, new Web.Services.Secrets.SecretUpdate(NewValue: "edited"), Actor.User("ada"))).Succeeded);

        await using var db = host.CreateContext();
        Assert.Equal(0, await db.RotationRuns.CountAsync());
        var audit = await db.AuditEvents.Where(e => e.Action == AuditActions.RotationDelete).Select(e => e.Details).ToListAsync();
        Assert.Contains(audit, d => d!.Contains("revoked", StringComparison.Ordinal) && d.Contains("released", StringComparison.Ordinal));
        Assert.Contains(audit, d => d!.Contains("left valid", StringComparison.Ordinal) && d.Contains("deleted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Delete_with_revoke_of_a_private_key_jwt_rotation_deletes_its_keys()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var rotation = await host.CreateAsync(await host.RequestAsync("keys", SandboxSeed.LedgerSyncClientId, RotationStrategy.PrivateKeyJwt));
        await CrashRecoveryTests.WaitForNoUnfinishedRunAsync(host, rotation.Id);
        var ours = (await host.RevealCredentials.ExecuteAsync(rotation.Id, EngineTestHost.Admin)).Value.GeneratedCredentials.Single().CredentialId;

        var deleted = await host.DeleteRotation.ExecuteAsync(rotation.Id, revokeGeneratedCredentials: true, deleteSecrets: true, EngineTestHost.Admin);

        Assert.True(deleted.Succeeded, deleted.ToString());
        var client = host.Sandbox.FindClient(SandboxSeed.LedgerSyncClientId)!;
        Assert.DoesNotContain(client.Credentials, c => c.Id == ours);
        Assert.Equal(SandboxAuthMethod.ClientSecretPost, client.AuthMethod); // no key left: a secret nobody knows
    }

    [Fact]
    public async Task Dashboard_queries_stay_fast_with_ten_thousand_rotations()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var connectionId = await host.SandboxConnectionAsync();
        var projectId = await host.DefaultProjectIdAsync();
        await SeedRotationsAsync(host, connectionId, projectId, 10_000);
        var service = host.Rotations;

        var timings = new List<(string, long)>();
        async Task<T> Time<T>(string what, Func<Task<T>> query)
        {
            var watch = Stopwatch.StartNew();
            var result = await query();
            timings.Add((what, watch.ElapsedMilliseconds));
            return result;
        }

        await service.QueryAsync(new RotationDashboardQuery()); // warm-up (query compilation)
        var firstPage = await Time("first page by name", () => service.QueryAsync(new RotationDashboardQuery { ProjectId = projectId, Take = 50 }));
        var lastPage = await Time("last page by next rotation, descending", () => service.QueryAsync(new RotationDashboardQuery { SortBy = RotationSortField.NextRotationAt, Descending = true, Skip = 9_950, Take = 50 }));
        var failed = await Time("failed", () => service.QueryAsync(new RotationDashboardQuery { Filter = RotationListFilter.Failed, Take = 25 }));
        var dueSoon = await Time("due soon", () => service.QueryAsync(new RotationDashboardQuery { Filter = RotationListFilter.DueSoon, Take = 25 }));
        var autoOff = await Time("auto-rotation off, staged", () => service.QueryAsync(new RotationDashboardQuery { Filter = RotationListFilter.AutoRotationOff, Strategy = RotationStrategy.Staged }));
        var search = await Time("search", () => service.QueryAsync(new RotationDashboardQuery { Search = "svc-0042", ConnectionId = connectionId }));
        var summary = await Time("summary", () => service.GetSummaryAsync(projectId));
        foreach (var (what, ms) in timings)
        {
            output.WriteLine($"{what}: {ms} ms");
        }

        Assert.Equal((10_000, 50), (firstPage.TotalCount, firstPage.Items.Count));
        Assert.Equal("svc-00000", firstPage.Items[0].Name);
        Assert.Equal(50, lastPage.Items.Count);
        Assert.Equal(1_000, failed.TotalCount);
        Assert.All(failed.Items, i => Assert.Equal("failed", i.RotationStatus));
        Assert.Equal(summary.DueWithin7Days, dueSoon.TotalCount);
        Assert.All(autoOff.Items, i => Assert.True(!i.IsAutoRotationEnabled && i.Strategy == RotationStrategy.Staged));
        Assert.Equal(10, search.TotalCount);
        // Auto-rotating and due within 7 days: i % 60 < 7 (7 of 60 days), minus the auto-off ones (every fifth).
        var due = Enumerable.Range(0, 10_000).Count(i => i % 5 != 0 && i % 60 < 7);
        var singlePhaseAuto = Enumerable.Range(0, 10_000).Count(i => i % 5 != 0 && i % 3 == 0);
        Assert.Equal(new RotationSummary(10_000, 1_000, due, 2_000, singlePhaseAuto, 0), summary);
        // Timings are printed, not asserted: speed targets belong in the benchmarks (a loaded two-core machine varies).
    }

    [Fact]
    public async Task Lookups_by_name_list_and_run_history_and_the_notifier()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var events = new List<RotationEvent>();
        using var subscription = host.Notifier.Subscribe(e =>
        {
            lock (events)
            {
                events.Add(e);
            }
        });
        var created = await host.CreateAsync(await host.RequestAsync("lookup", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase));
        for (var i = 0; i < 3; i++)
        {
            await host.RotateNow.ExecuteAsync(created.Id, RunTrigger.Api, EngineTestHost.Admin, waitForCompletion: true);
        }

        var projectId = await host.DefaultProjectIdAsync();
        Assert.Equal(created.Id, (await host.Rotations.GetByNameAsync(projectId, "dev", "/", "lookup"))?.Id);
        Assert.Null(await host.Rotations.GetByNameAsync(projectId, "prod", "/", "lookup"));
        Assert.Single(await host.Rotations.ListAsync(projectId));
        Assert.Empty(await host.Rotations.ListAsync(Guid.NewGuid()));
        var page = await host.Rotations.GetRunsAsync(created.Id, skip: 1, take: 2);
        Assert.Equal((4, 2), (page.TotalCount, page.Items.Count));
        Assert.True(page.Items[0].StartedAt >= page.Items[1].StartedAt);
        Assert.All(page.Items, r => Assert.Equal(6, r.Steps.Count));

        List<RotationEvent> seen;
        lock (events)
        {
            seen = events.ToList();
        }

        Assert.Contains(seen, e => e is RotationChangedEvent { Kind: RotationChangeKind.Created });
        Assert.Equal(4, seen.OfType<RunStartedEvent>().Count());
        Assert.Equal(4, seen.OfType<RunFinishedEvent>().Count(e => e.Status == RunStatus.Succeeded));
        Assert.Equal(4 * 4 * 2, seen.OfType<RunStepChangedEvent>().Count()); // four steps, started and finished, four runs
    }

    [Fact]
    public void The_notifier_survives_throwing_handlers_and_concurrent_subscriptions()
    {
        var notifier = new RotationRunNotifier(NullLogger<RotationRunNotifier>.Instance);
        var received = 0;
        using var throwing = notifier.Subscribe(_ => throw new InvalidOperationException("boom"));
        Parallel.For(0, 200, i =>
        {
            using var subscription = notifier.Subscribe(_ => Interlocked.Increment(ref received));
            notifier.Publish(new RotationChangedEvent(Guid.NewGuid(), RotationChangeKind.Updated, DateTimeOffset.UtcNow));
        });

        Assert.True(received >= 200);
        Assert.Equal(1, notifier.SubscriberCount);
    }

    /// <summary>Ten thousand rotations in one statement (see <see cref="RotationSeeding"/>).</summary>
    private static async Task SeedRotationsAsync(EngineTestHost host, Guid connectionId, Guid projectId, int count)
    {
        await using var db = host.CreateContext();
        Assert.Equal(count, await RotationSeeding.InsertRotationsAsync(db, connectionId, projectId, count));
    }
}
