using RotationDashboard.Testing;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Client;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Rotations;
using Xunit.Abstractions;

namespace RotationDashboard.Web.Tests.Rotations;

/// <summary>Each strategy end to end against the sandbox tenant, on SQLite, with Quartz running.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public class StrategyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Single_phase_issues_on_create_and_rotates_now_with_seed_002s_fields()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var original = host.Sandbox.GetClientSecret(SandboxSeed.PaymentsWorkerClientId)!;

        var watch = Stopwatch.StartNew();
        var created = await host.CreateAsync(await host.RequestAsync("payments", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase, autoRotation: true));
        output.WriteLine($"single-phase create (first issuance) took {watch.ElapsedMilliseconds} ms");

        Assert.Equal(("success", 0, true), (created.RotationStatus, created.ActiveIndex, created.IsLastRotationManual));
        Assert.Equal(created.LastRotationJobId, (await host.Rotations.GetRunsAsync(created.Id)).Items.Single().Id);
        Assert.NotNull(created.LastRotatedAt);
        Assert.Equal(created.LastRotatedAt, created.LastRotationAttemptedAt);
        Assert.NotNull(created.NextRotationAt);
        Assert.Null(created.LastRotationMessage);
        Assert.Equal(new RotationConnectionRef("auth0", "sandbox", created.ConnectionId), created.Connection);
        Assert.Equal(("dev", "/"), (created.Environment.Slug, created.Folder.Path));
        Assert.NotEqual(original, host.Sandbox.GetClientSecret(SandboxSeed.PaymentsWorkerClientId));
        await host.AssertConsumerAuthenticatesAsync(created);
        var firstSecret = host.Sandbox.GetClientSecret(SandboxSeed.PaymentsWorkerClientId)!;
        Assert.Equal(64, firstSecret.Length);

        watch.Restart();
        var rotated = await host.RotateNow.ExecuteAsync(created.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: true);
        output.WriteLine($"single-phase run took {watch.ElapsedMilliseconds} ms");

        Assert.True(rotated.Succeeded, rotated.ToString());
        var (run, rotation) = (rotated.Value.Run, rotated.Value.Rotation);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal((RunTrigger.Manual, "user:ada@sandbox.test"), (run.Trigger, run.Actor));
        Assert.Equal(
            [(RunStepName.Generate, RunStepStatus.Succeeded), (RunStepName.Publish, RunStepStatus.Skipped), (RunStepName.Apply, RunStepStatus.Succeeded),
             (RunStepName.Verify, RunStepStatus.Succeeded), (RunStepName.Promote, RunStepStatus.Succeeded), (RunStepName.Retire, RunStepStatus.Skipped)],
            run.Steps.Select(s => (s.Name, s.Status)));
        Assert.All(run.Steps.Where(s => s.Status == RunStepStatus.Succeeded), s => Assert.True(s.StartedAt <= s.FinishedAt));
        Assert.Equal((1, run.Id, "success"), (rotation.ActiveIndex, rotation.LastRotationJobId, rotation.RotationStatus));
        await host.AssertConsumerAuthenticatesAsync(rotation);

        // The replaced secret is dead in Auth0, and the reveal says so (Infisical calls it a "retired" credential).
        var credentials = await host.RevealCredentials.ExecuteAsync(created.Id, EngineTestHost.Admin);
        var slots = credentials.Value.GeneratedCredentials;
        Assert.Equal((1, "auth0-client-secret"), (credentials.Value.ActiveIndex, credentials.Value.Type));
        Assert.Equal([(CredentialStage.Previous, false, firstSecret), (CredentialStage.Current, true, host.Sandbox.GetClientSecret(SandboxSeed.PaymentsWorkerClientId))],
            slots.Select(s => (s.Stage, s.IsValid, s.ClientSecret)));
        Assert.Contains("stopped working", slots[0].Validity, StringComparison.Ordinal);
        Assert.DoesNotContain(firstSecret, slots[0].ToString(), StringComparison.Ordinal);
        var stale = await host.TokenClient(new StaticCredentialSource(Auth0Credential.FromClientSecret(SandboxSeed.PaymentsWorkerClientId, firstSecret)))
            .GetTokenAsync().ContinueWith(t => t.Exception?.InnerException);
        Assert.IsType<Auth0TokenException>(stale);

        // Reveals are audited (never with a value) and for Admins only.
        await Assert.ThrowsAsync<ForbiddenActionException>(() => host.RevealCredentials.ExecuteAsync(created.Id, EngineTestHost.Viewer));
        await using var db = host.CreateContext();
        var audit = await db.AuditEvents.Where(e => e.TargetId == created.Id.ToString()).OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(
            [AuditActions.RotationCreate, AuditActions.RotationRotate, AuditActions.RotationRotate, AuditActions.RotationRevealCredentials, AuditActions.RotationRevealCredentials],
            audit.Select(e => e.Action));
        Assert.Equal(AuditOutcome.Denied, audit[^1].Outcome);
        var allText = string.Join("\n", audit.Select(e => e.Details)) + host.Logs.AllText;
        Assert.DoesNotContain(firstSecret, allText, StringComparison.Ordinal);
        Assert.DoesNotContain(slots[1].ClientSecret!, allText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Staged_rotation_never_fails_a_consumer_that_holds_current_and_next()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var request = (await host.RequestAsync("billing", SandboxSeed.BillingServiceClientId, RotationStrategy.Staged)).With(s => s with { StagedLeadTime = TimeSpan.FromSeconds(1) });
        var created = await host.CreateAsync(request);
        Assert.Equal(TimeSpan.FromSeconds(1), created.StagedLeadTime);

        await using var consumer = new ConsumerLoop(host, created);
        await consumer.WarmUpAsync();
        var next = host.WaitFor<RunStepChangedEvent>(e => e.Step == RunStepName.Publish && e.Status == RunStepStatus.Succeeded);
        var watch = Stopwatch.StartNew();
        var rotated = await host.RotateNow.ExecuteAsync(created.Id, RunTrigger.Api, EngineTestHost.Admin, waitForCompletion: true);
        output.WriteLine($"staged run (lead time 1 s) took {watch.ElapsedMilliseconds} ms; consumer made {consumer.Successes} token requests");
        await next.WaitAsync();
        await Task.Delay(300); // and a little while after the switch

        Assert.Equal(RunStatus.Succeeded, rotated.Value.Run.Status);
        Assert.Empty(consumer.Failures);
        Assert.True(consumer.Successes > 20);
        var run = rotated.Value.Run;
        var publish = run.Steps.Single(s => s.Name == RunStepName.Publish);
        var apply = run.Steps.Single(s => s.Name == RunStepName.Apply);
        Assert.True(apply.StartedAt - publish.FinishedAt >= TimeSpan.FromSeconds(0.95), $"Apply started {apply.StartedAt - publish.FinishedAt} after Publish");

        // NEXT became CURRENT, the old value is kept as PREVIOUS.
        var secret = (await host.Secrets.ListSecretsAsync(created.FolderId)).Single(s => s.Key == created.SecretsMapping.ClientSecret);
        var versions = await host.Secrets.GetVersionHistoryAsync(secret.Id);
        Assert.Equal([Core.Secrets.SecretStage.Current, Core.Secrets.SecretStage.Previous], versions.Take(2).Select(v => v.Stage));
        Assert.Null((await host.RotationSecrets.ReadNextAsync(created.FolderId, created.SecretsMapping.ClientSecret!)));
        await host.AssertConsumerAuthenticatesAsync(rotated.Value.Rotation);
    }

    [Fact]
    public async Task Private_key_jwt_keeps_both_keys_valid_until_the_grace_period_ends()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var ledgerKey = host.Sandbox.GetKeyPair(SandboxSeed.LedgerSyncClientId, SandboxSeed.LedgerSyncCredentialId)!;

        // First issuance on an application that already uses Private Key JWT: its own key stays attached for the grace period.
        var request = (await host.RequestAsync("ledger", SandboxSeed.LedgerSyncClientId, RotationStrategy.PrivateKeyJwt)).With(s => s with { RetireGracePeriod = TimeSpan.FromSeconds(1) });
        var watch = Stopwatch.StartNew();
        var created = await host.CreateAsync(request);
        output.WriteLine($"private key JWT create took {watch.ElapsedMilliseconds} ms");
        Assert.Equal(2, host.Sandbox.GetCredentials(SandboxSeed.LedgerSyncClientId).Count(c => c.IsAttached));
        Assert.Equal(RunStatus.Running, created.ActiveRun!.Status);
        Assert.NotNull(created.ActiveRun.WaitingUntil);
        Assert.False(created.IsRotating);
        await host.AssertConsumerAuthenticatesAsync(created);
        await AssertKeyWorksAsync(host, ledgerKey.PrivateKeyPem, ledgerKey.Kid, expected: true);

        // The follow-up (a Quartz trigger at the end of the grace period) detaches the application's old key.
        var retired = host.WaitFor<RunFinishedEvent>(e => e.RotationId == created.Id && e.Status == RunStatus.Succeeded);
        await retired.WaitAsync();
        await AssertKeyWorksAsync(host, ledgerKey.PrivateKeyPem, ledgerKey.Kid, expected: false);
        Assert.Contains(host.Sandbox.GetCredentials(SandboxSeed.LedgerSyncClientId), c => c.Id == SandboxSeed.LedgerSyncCredentialId && !c.IsAttached);

        var current = (await host.Rotations.GetAsync(created.Id))!;
        var firstKey = (await host.ConsumerCredentialsAsync(current))!.Current;
        await using var consumer = new ConsumerLoop(host, current);
        await consumer.WarmUpAsync();
        var finished = host.WaitFor<RunFinishedEvent>(e => e.RotationId == created.Id && e.Status == RunStatus.Succeeded);
        watch.Restart();
        var rotated = await host.RotateNow.ExecuteAsync(created.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: true);
        output.WriteLine($"private key JWT run up to Retire took {watch.ElapsedMilliseconds} ms");

        // Promoted and waiting: both keys work in Auth0 now.
        Assert.True(rotated.Succeeded, rotated.ToString());
        Assert.Equal(RunStatus.Running, rotated.Value.Run.Status);
        Assert.NotNull(rotated.Value.Run.WaitingUntil);
        Assert.Equal(("success", 1), (rotated.Value.Rotation.RotationStatus, rotated.Value.Rotation.ActiveIndex));
        await AssertKeyWorksAsync(host, firstKey.PrivateKeyPem!, firstKey.KeyId, expected: true);
        await host.AssertConsumerAuthenticatesAsync(rotated.Value.Rotation);
        var reveal = (await host.RevealCredentials.ExecuteAsync(created.Id, EngineTestHost.Admin)).Value.GeneratedCredentials;
        Assert.Equal([(CredentialStage.Current, true), (CredentialStage.Previous, true)], reveal.Select(s => (s.Stage, s.IsValid)).Reverse());

        await finished.WaitAsync();
        await Task.Delay(200);
        Assert.Empty(consumer.Failures);
        await AssertKeyWorksAsync(host, firstKey.PrivateKeyPem!, firstKey.KeyId, expected: false);
        var after = (await host.Rotations.GetAsync(created.Id))!;
        await host.AssertConsumerAuthenticatesAsync(after);
        Assert.Null(after.ActiveRun);
        var run = (await host.Rotations.GetRunsAsync(created.Id)).Items[0];
        Assert.All(run.Steps, s => Assert.Equal(RunStepStatus.Succeeded, s.Status));
        Assert.Contains("Detached and deleted", run.Steps[^1].Message, StringComparison.Ordinal);
        var sandboxKeys = host.Sandbox.GetCredentials(SandboxSeed.LedgerSyncClientId);
        Assert.Single(sandboxKeys, c => c.IsAttached);
        Assert.DoesNotContain(sandboxKeys, c => c.Kid == firstKey.KeyId);
        reveal = (await host.RevealCredentials.ExecuteAsync(created.Id, EngineTestHost.Admin)).Value.GeneratedCredentials;
        Assert.False(reveal[0].IsValid);
    }

    [Fact]
    public async Task Private_key_jwt_can_register_each_key_as_a_self_signed_certificate_auth0_lets_expire()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var request = (await host.RequestAsync("ledger-cert", SandboxSeed.LedgerSyncClientId, RotationStrategy.PrivateKeyJwt)).With(s => s with { UseSelfSignedCertificate = true });

        var created = await host.CreateAsync(request);
        var rotated = await host.RotateNow.ExecuteAsync(created.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: true);

        Assert.True(created.UseSelfSignedCertificate);
        Assert.Equal(RunStatus.Succeeded, rotated.Value.Run.Status);
        var kid = (await host.ConsumerCredentialsAsync(rotated.Value.Rotation))!.Current.KeyId;
        var key = Assert.Single(host.Sandbox.GetCredentials(SandboxSeed.LedgerSyncClientId), c => c.Kid == kid);
        var validity = RotationRules.CertificateValidity(created.RotationInterval, created.RetireGracePeriod);
        Assert.InRange(key.ExpiresAt!.Value - DateTimeOffset.UtcNow, validity - TimeSpan.FromMinutes(2), validity); // parsed from the certificate
        Assert.Contains("as a self-signed certificate valid for", rotated.Value.Run.Steps.Single(s => s.Name == RunStepName.Apply).Message);
        await host.AssertConsumerAuthenticatesAsync(rotated.Value.Rotation);
    }

    [Fact]
    public async Task Private_key_jwt_switches_a_client_secret_application_only_when_asked()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var request = await host.RequestAsync("portal", SandboxSeed.CustomerPortalClientId, RotationStrategy.PrivateKeyJwt);

        var refused = await host.CreateRotation.ExecuteAsync(request, EngineTestHost.Admin);

        Assert.False(refused.Succeeded);
        Assert.Contains("breaks every consumer", refused.Failure!.Errors["switchToPrivateKeyJwt"][0], StringComparison.Ordinal);
        Assert.Empty(host.Requests.Mutations);
        Assert.Equal(SandboxSeed.CustomerPortalClientSecret, host.Sandbox.GetClientSecret(SandboxSeed.CustomerPortalClientId));

        // With consent; Auth0 refuses the new credential this time, so the first issuance fails and nothing is switched.
        host.Sandbox.AddFailure(new SandboxFailureRule("POST", "/api/v2/clients/*/credentials", 400,
            """{"statusCode":400,"error":"Bad Request","message":"Injected refusal","errorCode":"invalid_body"}""", Times: 1000));
        var failedFirst = await host.CreateRotation.ExecuteAsync(request with { SwitchToPrivateKeyJwt = true }, EngineTestHost.Admin);
        host.Sandbox.ClearFaults();
        Assert.True(failedFirst.Succeeded, failedFirst.ToString());
        Assert.Equal("failed", failedFirst.Value.RotationStatus);
        Assert.Equal(SandboxSeed.CustomerPortalClientSecret, host.Sandbox.GetClientSecret(SandboxSeed.CustomerPortalClientId));

        // The consent given at create stands until the first issuance succeeds: Rotate now finishes the switch.
        var rotated = await host.RotateNow.ExecuteAsync(failedFirst.Value.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: true);

        Assert.True(rotated.Succeeded, rotated.ToString());
        Assert.Equal("success", rotated.Value.Rotation.RotationStatus);
        Assert.Equal(SandboxAuthMethod.PrivateKeyJwt, host.Sandbox.FindClient(SandboxSeed.CustomerPortalClientId)!.AuthMethod);
        await host.AssertConsumerAuthenticatesAsync(rotated.Value.Rotation);
    }

    [Fact]
    public async Task Run_durations_at_default_settings_for_the_benchmark()
    {
        // Default engine and Auth0 client options (Management API limited to 2 requests/s per tenant, as on Auth0's
        // free plan), the sandbox's default Enterprise plan and 5 s propagation window; lead time and grace period 0
        // so only the work is measured (with defaults a staged run also waits 5 min, a key run retires after 1 h).
        await using var data = await EngineTestData.CreateAsync();
        var cases = new List<(RotationView Rotation, RotationStrategy Strategy)>();
        await using (var setup = await EngineTestHost.StartAsync(data))
        {
            foreach (var (name, clientId, strategy) in new[]
                     {
                         ("single", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase),
                         ("staged", SandboxSeed.BillingServiceClientId, RotationStrategy.Staged),
                         ("keys", SandboxSeed.LedgerSyncClientId, RotationStrategy.PrivateKeyJwt),
                     })
            {
                var rotation = await setup.CreateAsync(await setup.RequestAsync(name, clientId, strategy));
                await CrashRecoveryTests.WaitForNoUnfinishedRunAsync(setup, rotation.Id);
                cases.Add((rotation, strategy));
            }
        }

        await using var host = await EngineTestHost.StartAsync(data, productionDefaults: true);
        foreach (var (rotation, strategy) in cases)
        {
            var watch = Stopwatch.StartNew();
            var rotated = await host.RotateNow.ExecuteAsync(rotation.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: true);
            var elapsed = watch.ElapsedMilliseconds;

            Assert.Equal(RunStatus.Succeeded, rotated.Value.Run.Status);
            var steps = string.Join(", ", rotated.Value.Run.Steps.Where(s => s.Status == RunStepStatus.Succeeded)
                .Select(s => $"{s.Name} {(s.FinishedAt - s.StartedAt)!.Value.TotalMilliseconds:0} ms"));
            output.WriteLine($"{StrategyPlan.Label(strategy)} run at default settings: {elapsed} ms ({steps})");
            await host.AssertConsumerAuthenticatesAsync(rotated.Value.Rotation);
        }
    }

    private static async Task AssertKeyWorksAsync(EngineTestHost host, string privateKeyPem, string? keyId, bool expected)
    {
        var source = new StaticCredentialSource(Auth0Credential.FromPrivateKey(SandboxSeed.LedgerSyncClientId, privateKeyPem, keyId));
        var outcome = await host.TokenClient(source).GetTokenAsync().ContinueWith(t => t.Exception?.InnerException);
        if (expected)
        {
            Assert.Null(outcome);
        }
        else
        {
            Assert.IsType<Auth0TokenException>(outcome);
        }
    }
}
