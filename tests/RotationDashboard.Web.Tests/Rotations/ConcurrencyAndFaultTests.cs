using RotationDashboard.Testing;
using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Services.Rotations;
using Xunit.Abstractions;

namespace RotationDashboard.Web.Tests.Rotations;

[Trait(TestKind.Trait, TestKind.Integration)]
public class ConcurrencyAndFaultTests(ITestOutputHelper output)
{
    /// <summary>A fresh installation (SQLite; the PostgreSQL subclass gives it a PostgreSQL database).</summary>
    protected virtual Task<EngineTestData> CreateDataAsync() => EngineTestData.CreateAsync();

    [Fact]
    public async Task Scheduled_manual_and_api_triggers_at_once_start_exactly_one_run()
    {
        await using var data = await CreateDataAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var rotation = await host.CreateAsync(await host.RequestAsync("race", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase, autoRotation: true));
        host.Sandbox.SetFaults(new SandboxFaults { Latency = TimeSpan.FromMilliseconds(300), Targets = SandboxFaultTargets.Management });
        await SchedulingTests.SetNextRotationAsync(host, rotation.Id, DateTimeOffset.UtcNow.AddMinutes(-1));

        var scheduled = host.Scheduler.RescheduleAsync(rotation.Id, CancellationToken.None); // fires now
        var manual = host.RotateNow.ExecuteAsync(rotation.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: false);
        var api = host.RotateNow.ExecuteAsync(rotation.Id, RunTrigger.Api, EngineTestHost.Admin, waitForCompletion: false);
        var direct = host.Engine.StartAsync(rotation.Id, RunTrigger.Schedule, Actor.Scheduler);
        await Task.WhenAll(scheduled, manual, api, direct);
        await CrashRecoveryTests.WaitForNoUnfinishedRunAsync(host, rotation.Id);
        await Task.Delay(200); // a late Quartz firing would show up now

        await using var db = host.CreateContext();
        var runs = await db.RotationRuns.Where(r => r.RotationId == rotation.Id).ToListAsync();
        Assert.Equal(2, runs.Count); // the first issuance and exactly one more
        var results = new[] { await manual, await api };
        Assert.All(results.Where(r => !r.Succeeded), r =>
        {
            Assert.Equal(OperationFailureKind.Conflict, r.Failure!.Kind);
            Assert.Contains("already in progress", r.Failure.Message, StringComparison.Ordinal);
        });
        Assert.Equal(RunStatus.Succeeded, runs.Single(r => r.Trigger != RunTrigger.Create).Status);
        output.WriteLine("winner: " + runs.Single(r => r.Trigger != RunTrigger.Create).Trigger);
    }

    [Fact]
    public async Task Rate_limits_and_server_errors_are_retried_until_the_rotation_succeeds()
    {
        await using var data = await CreateDataAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var rotation = await host.CreateAsync(await host.RequestAsync("flaky", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.Staged));
        host.Requests.Clear();

        // 503s on the run's PATCH, which only the engine retries (the Auth0 client sends a run's calls once); then 429s at /oauth/token.
        host.Sandbox.AddFailure(new SandboxFailureRule("PATCH", "/api/v2/clients/*", 503, Times: 4));
        host.Sandbox.AddFailure(new SandboxFailureRule("POST", "/oauth/token", 429, Times: 3));
        var rotated = await host.RotateNow.ExecuteAsync(rotation.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: true);

        Assert.Equal(RunStatus.Succeeded, rotated.Value.Run.Status);
        Assert.Equal(5, host.Requests.All.Count(r => r.StartsWith("PATCH /api/v2/clients/", StringComparison.Ordinal)));
        Assert.Contains("after 4 attempt(s)", rotated.Value.Run.Steps.Single(s => s.Name == RunStepName.Verify).Message, StringComparison.Ordinal);
        Assert.Contains(host.Logs.Entries, e => e.Message.Contains("retryable failure", StringComparison.Ordinal));
        await host.AssertConsumerAuthenticatesAsync(rotated.Value.Rotation);
    }

    [Fact]
    public async Task A_runs_failed_management_call_is_retried_by_the_engine_alone_not_also_by_the_auth0_client()
    {
        await using var data = await CreateDataAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var rotation = await host.CreateAsync(await host.RequestAsync("once", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase));
        host.Requests.Clear();

        host.Sandbox.AddFailure(new SandboxFailureRule("PATCH", "/api/v2/clients/*", 503, Times: 1));
        var rotated = await host.RotateNow.ExecuteAsync(rotation.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: true);

        Assert.Equal(RunStatus.Succeeded, rotated.Value.Run.Status);
        Assert.Equal(2, host.Requests.All.Count(r => r.StartsWith("PATCH /api/v2/clients/", StringComparison.Ordinal)));
        // The engine saw the 503 (the Auth0 client did not absorb it) and tried once more.
        Assert.Single(host.Logs.Entries, e => e.Message.Contains("retryable failure", StringComparison.Ordinal));
        await host.AssertConsumerAuthenticatesAsync(rotated.Value.Rotation);
    }

    [Fact]
    public async Task Timeouts_are_retried_until_auth0_answers_again()
    {
        await using var data = await CreateDataAsync();
        await using var host = await EngineTestHost.StartAsync(data, new Dictionary<string, string?>
        {
            ["Auth0Client:RequestTimeout"] = "00:00:00.300",
            ["RotationEngine:TransientRetryAttempts"] = "6",
            ["RotationEngine:TransientRetryBaseDelay"] = "00:00:00.200",
            ["RotationEngine:TransientRetryMaxDelay"] = "00:00:00.400",
        });
        var rotation = await host.CreateAsync(await host.RequestAsync("slow", SandboxSeed.BillingServiceClientId, RotationStrategy.SinglePhase));

        host.Sandbox.SetFaults(new SandboxFaults { TimeoutRate = 1, TimeoutDelay = TimeSpan.FromSeconds(5), Targets = SandboxFaultTargets.Management });
        var recover = Task.Delay(1500).ContinueWith(_ => host.Sandbox.ClearFaults());
        var rotated = await host.RotateNow.ExecuteAsync(rotation.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: true);
        await recover;

        Assert.Equal(RunStatus.Succeeded, rotated.Value.Run.Status);
        Assert.Contains(host.Logs.Entries, e => e.Message.Contains("timed out", StringComparison.Ordinal));
        await host.AssertConsumerAuthenticatesAsync(rotated.Value.Rotation);
    }

    [Fact]
    public async Task A_persistent_auth0_failure_leaves_the_old_secret_working_and_a_failed_status_without_secrets()
    {
        await using var data = await CreateDataAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var rotation = await host.CreateAsync(await host.RequestAsync("broken", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase, autoRotation: true));
        var current = host.Sandbox.GetClientSecret(SandboxSeed.PaymentsWorkerClientId)!;

        host.Sandbox.AddFailure(new SandboxFailureRule("PATCH", "/api/v2/clients/*", 500, Times: 1000));
        var rotated = await host.RotateNow.ExecuteAsync(rotation.Id, RunTrigger.Api, EngineTestHost.Admin, waitForCompletion: true);
        host.Sandbox.ClearFaults();

        var after = rotated.Value.Rotation;
        Assert.Equal("failed", after.RotationStatus);
        Assert.Equal(rotated.Value.Run.Id, after.LastRotationJobId);
        Assert.Contains("Apply failed", after.LastRotationMessage, StringComparison.Ordinal);
        Assert.InRange(after.LastRotationMessage!.Length, 1, 1024);
        Assert.Equal(current, host.Sandbox.GetClientSecret(SandboxSeed.PaymentsWorkerClientId));
        await host.AssertConsumerAuthenticatesAsync(after);
        // The next attempt: the next rotate-at time (default policy), and the trigger follows.
        Assert.True(after.NextRotationAt > DateTimeOffset.UtcNow && after.NextRotationAt <= DateTimeOffset.UtcNow.AddDays(1));
        Assert.Equal(after.NextRotationAt, await host.Scheduler.GetNextFireTimeAsync(rotation.Id));

        await using var db = host.CreateContext();
        var run = await db.RotationRuns.Include(r => r.Steps).SingleAsync(r => r.Id == rotated.Value.Run.Id);
        var generated = run.ReadPendingCredential(host.Protector)!.ClientSecret!;
        var texts = run.Steps.Select(s => s.Message).Append(run.Message).Append(after.LastRotationMessage)
            .Concat(await db.AuditEvents.Select(e => e.Details).ToListAsync())
            .Append(host.Logs.AllText);
        Assert.All(texts, text =>
        {
            Assert.DoesNotContain(current, text ?? "", StringComparison.Ordinal);
            Assert.DoesNotContain(generated, text ?? "", StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_new_secret_auth0_never_accepts_is_rolled_back_and_no_secret_appears_anywhere()
    {
        await using var data = await CreateDataAsync();
        var applied = new ConcurrentQueue<string>();
        await using var host = await EngineTestHost.StartAsync(data, new Dictionary<string, string?> { ["RotationEngine:VerifyTimeout"] = "00:00:00.600" },
            services => services.Decorate(applied));
        var rotation = await host.CreateAsync(await host.RequestAsync("rejected", SandboxSeed.BillingServiceClientId, RotationStrategy.Staged));
        var current = host.Sandbox.GetClientSecret(SandboxSeed.BillingServiceClientId)!;

        // Every token request is refused as Auth0 refuses a wrong secret; the Management API token is cached already.
        host.Sandbox.AddFailure(new SandboxFailureRule("POST", "/oauth/token", 401, """{"error":"access_denied","error_description":"Unauthorized"}""", Times: 1000));
        var rotated = await host.RotateNow.ExecuteAsync(rotation.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: true);
        host.Sandbox.ClearFaults();

        Assert.Equal(RunStatus.RolledBack, rotated.Value.Run.Status);
        Assert.Equal("failed", rotated.Value.Rotation.RotationStatus);
        Assert.Contains("still rejects the new client secret", rotated.Value.Rotation.LastRotationMessage, StringComparison.Ordinal);
        Assert.Contains("set the CURRENT client secret in Auth0 again", rotated.Value.Rotation.LastRotationMessage, StringComparison.Ordinal);
        Assert.Equal(current, host.Sandbox.GetClientSecret(SandboxSeed.BillingServiceClientId));
        Assert.Null(await host.RotationSecrets.ReadNextAsync(rotation.FolderId, rotation.SecretsMapping.ClientSecret!));
        await host.AssertConsumerAuthenticatesAsync(rotated.Value.Rotation);

        var secrets = applied.Append(current).Distinct().ToList();
        Assert.Equal(2, secrets.Count); // the issued one (restored by the rollback) and the rejected one
        await using var db = host.CreateContext();
        var run = await db.RotationRuns.Include(r => r.Steps).SingleAsync(r => r.Id == rotated.Value.Run.Id);
        Assert.Null(run.EncryptedPendingCredential);
        var texts = run.Steps.Select(s => s.Message).Append(run.Message).Append(rotated.Value.Rotation.LastRotationMessage)
            .Concat(await db.AuditEvents.Select(e => e.Details).ToListAsync())
            .Append(host.Logs.AllText);
        Assert.All(texts, text => Assert.All(secrets, secret => Assert.DoesNotContain(secret, text ?? "", StringComparison.Ordinal)));
    }
}

internal static class AuthorityRecording
{
    /// <summary>Records every client secret the engine sets in Auth0 (the test needs the values to prove they never leak).</summary>
    public static void Decorate(this IServiceCollection services, ConcurrentQueue<string> applied)
    {
        services.Replace(ServiceDescriptor.Singleton<ICredentialAuthorityFactory>(sp =>
            new RecordingFactory(ActivatorUtilities.CreateInstance<Auth0CredentialAuthorityFactory>(sp), applied)));
    }

    private sealed class RecordingFactory(ICredentialAuthorityFactory inner, ConcurrentQueue<string> applied) : ICredentialAuthorityFactory
    {
        public async Task<ICredentialAuthority> CreateAsync(Guid connectionId, CancellationToken cancellationToken) =>
            new Recording(await inner.CreateAsync(connectionId, cancellationToken), applied);
    }

    private sealed class Recording(ICredentialAuthority inner, ConcurrentQueue<string> applied) : ICredentialAuthority
    {
        public Task<ApplicationCredentials> GetApplicationAsync(string clientId, bool includeCredentials, CancellationToken cancellationToken) =>
            inner.GetApplicationAsync(clientId, includeCredentials, cancellationToken);

        public Task SetClientSecretAsync(string clientId, string clientSecret, CancellationToken cancellationToken)
        {
            applied.Enqueue(clientSecret);
            return inner.SetClientSecretAsync(clientId, clientSecret, cancellationToken);
        }

        public Task RevokeClientSecretAsync(string clientId, CancellationToken cancellationToken) => inner.RevokeClientSecretAsync(clientId, cancellationToken);

        public Task<CredentialCheck> VerifyClientSecretAsync(string clientId, string clientSecret, ClientSecretMethod method, CancellationToken cancellationToken) =>
            inner.VerifyClientSecretAsync(clientId, clientSecret, method, cancellationToken);

        public Task<PublicKeyCredential> AddPublicKeyCredentialAsync(string clientId, NewPublicKeyCredential credential, CancellationToken cancellationToken) =>
            inner.AddPublicKeyCredentialAsync(clientId, credential, cancellationToken);

        public Task AttachPublicKeyCredentialsAsync(string clientId, IReadOnlyList<string> credentialIds, CancellationToken cancellationToken) =>
            inner.AttachPublicKeyCredentialsAsync(clientId, credentialIds, cancellationToken);

        public Task UseClientSecretAsync(string clientId, ClientSecretMethod method, CancellationToken cancellationToken) =>
            inner.UseClientSecretAsync(clientId, method, cancellationToken);

        public Task<bool> DeleteCredentialAsync(string clientId, string credentialId, CancellationToken cancellationToken) =>
            inner.DeleteCredentialAsync(clientId, credentialId, cancellationToken);

        public Task<CredentialCheck> VerifyPrivateKeyAsync(string clientId, string privateKeyPem, string? keyId, CancellationToken cancellationToken) =>
            inner.VerifyPrivateKeyAsync(clientId, privateKeyPem, keyId, cancellationToken);
    }
}
