using RotationDashboard.Testing;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Services.Rotations;
using Xunit.Abstractions;

namespace RotationDashboard.Web.Tests.Rotations;

/// <summary>
/// A run stopped right after each of its steps was stored, then a new host on the same database and sandbox state:
/// the run resumes, nothing is lost, the consumer authenticates.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public class CrashRecoveryTests(ITestOutputHelper output)
{
    /// <summary>A fresh installation (SQLite; the PostgreSQL subclass gives it a PostgreSQL database).</summary>
    protected virtual Task<EngineTestData> CreateDataAsync() => EngineTestData.CreateAsync();

    [Theory]
    [InlineData(RotationStrategy.SinglePhase, SandboxSeed.PaymentsWorkerClientId)]
    [InlineData(RotationStrategy.Staged, SandboxSeed.BillingServiceClientId)]
    [InlineData(RotationStrategy.PrivateKeyJwt, SandboxSeed.LedgerSyncClientId)]
    public async Task A_run_stopped_after_each_step_resumes_on_the_next_start(RotationStrategy strategy, string clientId)
    {
        await using var data = await CreateDataAsync();
        var crash = new CrashPlan();
        var host = await StartAsync(data, crash);
        try
        {
            var rotation = await host.CreateAsync(await host.RequestAsync("crashy", clientId, strategy));
            await WaitForNoUnfinishedRunAsync(host, rotation.Id);

            foreach (var step in StrategyPlan.StepsFor(strategy))
            {
                crash.Arm(step);
                var rotated = await host.RotateNow.ExecuteAsync(rotation.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: true);
                Assert.True(crash.Fired, $"no crash after {step}");
                var runId = rotated.Value.Run.Id;
                Assert.Equal(RunStatus.Running, rotated.Value.Run.Status);
                Assert.Equal(RunStepStatus.Succeeded, rotated.Value.Run.Steps.Single(s => s.Name == step).Status);
                if (strategy != RotationStrategy.SinglePhase)
                {
                    // Zero-downtime strategies: whatever the store holds as CURRENT/NEXT works in Auth0 right now.
                    await host.AssertConsumerAuthenticatesAsync(rotation);
                }

                await host.DisposeAsync();
                var watch = Stopwatch.StartNew();
                host = await StartAsync(data, crash);
                await WaitForNoUnfinishedRunAsync(host, rotation.Id);
                output.WriteLine($"{strategy}: stopped after {step}, resumed and finished {watch.ElapsedMilliseconds} ms after the restart");

                var run = (await host.Rotations.GetRunAsync(runId))!;
                Assert.True(run.Status == RunStatus.Succeeded, $"after {step}: {run.Status} {run.Message}");
                // A Private Key JWT run stopped after Promote was only waiting out its grace period: no interruption to count.
                Assert.Equal(strategy == RotationStrategy.PrivateKeyJwt && step == RunStepName.Promote ? 1 : 2, run.Attempt);
                var after = (await host.Rotations.GetAsync(rotation.Id))!;
                Assert.Equal(("success", runId), (after.RotationStatus, after.LastRotationJobId));
                await host.AssertConsumerAuthenticatesAsync(after);
            }

            if (strategy == RotationStrategy.PrivateKeyJwt)
            {
                Assert.Single(host.Sandbox.GetCredentials(clientId), c => c.IsAttached);
            }
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_crashed_holders_lease_is_taken_over_once_it_expires_and_the_run_resumes()
    {
        await using var data = await CreateDataAsync();
        var crash = new CrashPlan();
        var host = await StartAsync(data, crash);
        Guid rotationId;
        Guid runId;
        DateTimeOffset expires;
        try
        {
            var rotation = await host.CreateAsync(await host.RequestAsync("lease", SandboxSeed.BillingServiceClientId, RotationStrategy.Staged));
            rotationId = rotation.Id;
            crash.Arm(RunStepName.Apply);
            runId = (await host.RotateNow.ExecuteAsync(rotationId, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: true)).Value.Run.Id;

            // The process died holding the lease (a graceful stop would have released it).
            expires = DateTimeOffset.UtcNow.AddSeconds(2);
            await using var db = host.CreateContext();
            await db.Rotations.Where(r => r.Id == rotationId).ExecuteUpdateAsync(set => set
                .SetProperty(r => r.LeaseHolder, "dead-host/4242/0000")
                .SetProperty(r => r.LeaseExpiresAt, expires));
        }
        finally
        {
            await host.DisposeAsync();
        }

        host = await StartAsync(data, crash);
        try
        {
            Assert.Equal(RunStartStatus.AlreadyRunning, (await host.Engine.StartAsync(rotationId, RunTrigger.Manual, Actor.User("ada"))).Status);
            await WaitForNoUnfinishedRunAsync(host, rotationId);

            var run = (await host.Rotations.GetRunAsync(runId))!;
            Assert.Equal(RunStatus.Succeeded, run.Status);
            Assert.True(run.FinishedAt >= expires, $"finished {run.FinishedAt:O}, lease expired {expires:O}");
            Assert.Equal(2, run.Attempt);
            output.WriteLine($"resumed {(run.FinishedAt!.Value - expires).TotalMilliseconds:0} ms after the dead holder's lease expired");
            var rotation = (await host.Rotations.GetAsync(rotationId))!;
            Assert.False(rotation.IsRotating);
            await host.AssertConsumerAuthenticatesAsync(rotation);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static Task<EngineTestHost> StartAsync(EngineTestData data, CrashPlan crash) =>
        EngineTestHost.StartAsync(data, configureServices: services => services.Replace(ServiceDescriptor.Singleton<IRunStore>(sp =>
            new CrashingRunStore(ActivatorUtilities.CreateInstance<EfRunStore>(sp), crash))));

    internal static async Task WaitForNoUnfinishedRunAsync(EngineTestHost host, Guid rotationId, TimeSpan? timeout = null)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            await using var db = host.CreateContext();
            var unfinished = await db.RotationRuns.AnyAsync(r => r.RotationId == rotationId && r.Status == RunStatus.Running);
            var leased = await db.Rotations.AnyAsync(r => r.Id == rotationId && r.LeaseHolder != null);
            if (!unfinished && !leased)
            {
                return;
            }

            Assert.True(watch.Elapsed < (timeout ?? TimeSpan.FromSeconds(20)), "The run did not finish in time.");
            await Task.Delay(25);
        }
    }

    /// <summary>Throws (as a crash would stop the process) right after the save that first records <see cref="Step"/> as done.</summary>
    private sealed class CrashPlan
    {
        public RunStepName? Step { get; private set; }

        public bool Fired { get; private set; }

        public void Arm(RunStepName step)
        {
            Step = step;
            Fired = false;
        }

        public bool ShouldCrash(RotationRun run)
        {
            if (Step is not { } step || Fired || run.Step(step).Status != RunStepStatus.Succeeded)
            {
                return false;
            }

            Fired = true;
            Step = null;
            return true;
        }
    }

    private sealed class CrashingRunStore(IRunStore inner, CrashPlan plan) : IRunStore
    {
        public Task<bool> TryAcquireLeaseAsync(Guid rotationId, string holder, TimeSpan duration, CancellationToken cancellationToken) =>
            inner.TryAcquireLeaseAsync(rotationId, holder, duration, cancellationToken);

        public Task<bool> RenewLeaseAsync(Guid rotationId, string holder, TimeSpan duration, CancellationToken cancellationToken) =>
            inner.RenewLeaseAsync(rotationId, holder, duration, cancellationToken);

        public Task ReleaseLeaseAsync(Guid rotationId, string holder, CancellationToken cancellationToken) =>
            inner.ReleaseLeaseAsync(rotationId, holder, cancellationToken);

        public Task<RotationLease?> GetLeaseAsync(Guid rotationId, CancellationToken cancellationToken) => inner.GetLeaseAsync(rotationId, cancellationToken);

        public Task<Rotation?> FindRotationAsync(Guid rotationId, CancellationToken cancellationToken) => inner.FindRotationAsync(rotationId, cancellationToken);

        public Task<RotationRun?> FindUnfinishedRunAsync(Guid rotationId, CancellationToken cancellationToken) =>
            inner.FindUnfinishedRunAsync(rotationId, cancellationToken);

        public Task<RotationRun?> FindFirstRunAsync(Guid rotationId, CancellationToken cancellationToken) =>
            inner.FindFirstRunAsync(rotationId, cancellationToken);

        public Task AddRunAsync(RotationRun run, string leaseHolder, CancellationToken cancellationToken) =>
            inner.AddRunAsync(run, leaseHolder, cancellationToken);

        public async Task<Rotation?> SaveRunAsync(RotationRun run, string leaseHolder, Action<Rotation>? rotationChange = null, IReadOnlyList<AuditEvent>? auditEvents = null, CancellationToken cancellationToken = default)
        {
            var saved = await inner.SaveRunAsync(run, leaseHolder, rotationChange, auditEvents, cancellationToken);
            if (plan.ShouldCrash(run))
            {
                throw new OperationCanceledException("Simulated crash right after the step was stored.");
            }

            return saved;
        }
    }
}
