using RotationDashboard.Testing;
using System.Collections.Concurrent;
using System.Diagnostics;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Tests.Rotations;

/// <summary>How a failed run leaves Auth0 and the store: consumers are never offered a credential that cannot work.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public class RollbackTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Unauthorized = """{"error":"access_denied","error_description":"Unauthorized"}""";

    [Fact]
    public async Task A_run_whose_apply_fails_before_auth0_is_touched_withdraws_next_and_says_only_that_nothing_changed()
    {
        await using var data = await EngineTestData.CreateAsync();
        RotationView rotation;
        await using (var first = await EngineTestHost.StartAsync(data))
        {
            rotation = await first.CreateAsync(await first.RequestAsync("cold", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.Staged));
        }

        // Restarted: no Management API token is cached, and the connection's credentials are refused.
        await using var host = await EngineTestHost.StartAsync(data);
        var current = host.Sandbox.GetClientSecret(SandboxSeed.PaymentsWorkerClientId)!;
        host.Sandbox.AddFailure(new SandboxFailureRule("POST", "/oauth/token", 401, Unauthorized, Times: 1000));
        var rotated = await host.Rotations.RotateNowAsync(rotation.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: true);
        host.Sandbox.ClearFaults();

        var run = rotated.Value.Run;
        Assert.Equal(RunStepStatus.Failed, run.Steps.Single(s => s.Name == RunStepName.Apply).Status);
        Assert.Equal(RunStatus.RolledBack, run.Status);
        Assert.Contains("Nothing had changed in Auth0", run.Message, StringComparison.Ordinal);
        Assert.Contains("withdrew the NEXT values", run.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Rollback incomplete", run.Message, StringComparison.Ordinal);
        Assert.Null(await host.Secrets.ReadNextAsync(rotation.FolderId, rotation.SecretsMapping.ClientSecret!));
        Assert.Equal(current, host.Sandbox.GetClientSecret(SandboxSeed.PaymentsWorkerClientId));
        Assert.DoesNotContain(host.Requests.All, r => r.StartsWith("PATCH", StringComparison.Ordinal));
        await host.AssertConsumerAuthenticatesAsync(rotated.Value.Rotation);
    }

    [Fact]
    public async Task When_verify_rejects_and_the_rollback_cannot_reach_auth0_the_engine_maps_the_credential_auth0_accepts_as_current()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data, new Dictionary<string, string?> { ["RotationEngine:VerifyTimeout"] = "00:00:00.600" });
        var rotation = await host.CreateAsync(await host.RequestAsync("stuck", SandboxSeed.BillingServiceClientId, RotationStrategy.Staged));
        var old = host.Sandbox.GetClientSecret(SandboxSeed.BillingServiceClientId)!;
        var patchFails = new SandboxFailureRule("PATCH", "/api/v2/clients/*", 503, Times: 1000);

        // Verify's token requests are refused; from then on every PATCH (the rollback's) fails. After Verify gave up,
        // token requests are answered again, as Auth0 answers them: the new secret is the one it holds.
        using var faults = host.Notifier.Subscribe(e =>
        {
            if (e is RunStepChangedEvent { Step: RunStepName.Verify, Status: RunStepStatus.Running })
            {
                host.Sandbox.SetFaults(new SandboxFaults { Failures = [new SandboxFailureRule("POST", "/oauth/token", 401, Unauthorized, Times: 1000), patchFails] });
            }
            else if (e is RunStepChangedEvent { Step: RunStepName.Verify, Status: RunStepStatus.Failed })
            {
                host.Sandbox.SetFaults(new SandboxFaults { Failures = [patchFails] });
            }
        });
        var rotated = await host.Rotations.RotateNowAsync(rotation.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: true);
        faults.Dispose();
        host.Sandbox.ClearFaults();

        var after = rotated.Value.Rotation;
        var applied = host.Sandbox.GetClientSecret(SandboxSeed.BillingServiceClientId)!;
        Assert.NotEqual(old, applied);
        Assert.Equal(RunStatus.Failed, rotated.Value.Run.Status);
        Assert.Equal("failed", after.RotationStatus);
        Assert.True(after.NeedsAttention);
        Assert.Contains("Rollback incomplete", after.LastRotationMessage, StringComparison.Ordinal);
        Assert.Contains("Auth0 rejects CURRENT and accepts the new client secret", after.LastRotationMessage, StringComparison.Ordinal);
        Assert.Contains("mapped the new client secret as CURRENT", after.LastRotationMessage, StringComparison.Ordinal);

        // A reader of CURRENT alone (no NEXT fallback) gets a token.
        var current = await host.Secrets.ReadCurrentAsync(rotation.FolderId, rotation.SecretsMapping.ClientSecret!);
        Assert.Equal(applied, current!.Value);
        Assert.Null(await host.Secrets.ReadNextAsync(rotation.FolderId, rotation.SecretsMapping.ClientSecret!));
        await host.AssertConsumerAuthenticatesAsync(after);
        var texts = new[] { rotated.Value.Run.Message, after.LastRotationMessage }.Concat(rotated.Value.Run.Steps.Select(s => s.Message));
        Assert.All(texts, text =>
        {
            Assert.DoesNotContain(old, text ?? "", StringComparison.Ordinal);
            Assert.DoesNotContain(applied, text ?? "", StringComparison.Ordinal);
        });

        // The next successful run clears the flag.
        var again = await host.Rotations.RotateNowAsync(rotation.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: true);
        Assert.Equal(RunStatus.Succeeded, again.Value.Run.Status);
        Assert.False(again.Value.Rotation.NeedsAttention);
    }

    [Fact]
    public async Task A_run_against_a_hung_management_api_ends_within_its_time_limit_as_failed_with_the_old_secret_intact()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data, new Dictionary<string, string?>
        {
            ["RotationEngine:RunTimeout"] = "00:00:06",
            ["RotationEngine:RollbackTimeout"] = "00:00:03",
            ["RotationEngine:TransientRetryAttempts"] = "10",
            ["RotationEngine:TransientRetryBaseDelay"] = "00:00:00.500",
            ["RotationEngine:TransientRetryMaxDelay"] = "00:00:01",
            ["Auth0Client:RequestTimeout"] = "00:00:01",
            ["Auth0Client:MaxRetryAttempts"] = "0",
        });
        var rotation = await host.CreateAsync(await host.RequestAsync("hung", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.Staged, autoRotation: true));
        var old = host.Sandbox.GetClientSecret(SandboxSeed.PaymentsWorkerClientId)!;
        var notes = new ConcurrentQueue<string>();
        using var listening = host.Notifier.Subscribe(e =>
        {
            if (e is RunStepChangedEvent { Status: RunStepStatus.Running, Message: { } message })
            {
                notes.Enqueue(message);
            }
        });

        // Every Management API call hangs (far longer than the run may take).
        host.Sandbox.SetFaults(new SandboxFaults { TimeoutRate = 1, TimeoutDelay = TimeSpan.FromMinutes(10), Targets = SandboxFaultTargets.Management });
        var started = Stopwatch.GetTimestamp();
        var rotated = await host.Rotations.RotateNowAsync(rotation.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: true)
            .WaitAsync(TimeSpan.FromMinutes(1));
        var took = Stopwatch.GetElapsedTime(started);
        host.Sandbox.ClearFaults();
        output.WriteLine($"The run ended after {took.TotalSeconds:0.0} s (limit 6 s, rollback limit 3 s).");

        var run = rotated.Value.Run;
        Assert.NotEqual(RunStatus.Running, run.Status);
        Assert.Equal(RunStatus.RolledBack, run.Status);
        Assert.Contains("did not answer within the run's time limit of 6 s", run.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing had changed in Auth0", run.Message, StringComparison.Ordinal);
        Assert.Contains(notes, n => n.StartsWith("Waiting for Auth0 (attempt 2, next try at ", StringComparison.Ordinal) && n.Contains("gives up at", StringComparison.Ordinal));

        var after = rotated.Value.Rotation;
        Assert.Equal("failed", after.RotationStatus);
        Assert.Equal(run.Message, after.LastRotationMessage);
        Assert.True(after.NextRotationAt > DateTimeOffset.UtcNow);
        Assert.Equal(old, host.Sandbox.GetClientSecret(SandboxSeed.PaymentsWorkerClientId));
        Assert.Null(await host.Secrets.ReadNextAsync(rotation.FolderId, rotation.SecretsMapping.ClientSecret!));
        await host.AssertConsumerAuthenticatesAsync(after);
    }
}
