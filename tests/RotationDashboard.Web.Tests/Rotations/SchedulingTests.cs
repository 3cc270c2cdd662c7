using RotationDashboard.Testing;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Services.Rotations;
using Xunit.Abstractions;

namespace RotationDashboard.Web.Tests.Rotations;

/// <summary>Real Quartz: one trigger per rotation at its own time; the database is the source of truth.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public class SchedulingTests(ITestOutputHelper output)
{
    /// <summary>A fresh installation (SQLite; the PostgreSQL subclass gives it a PostgreSQL database).</summary>
    protected virtual Task<EngineTestData> CreateDataAsync() => EngineTestData.CreateAsync();

    [Fact]
    public async Task A_rotation_due_two_seconds_ahead_starts_within_a_second_of_its_due_time()
    {
        await using var data = await CreateDataAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var rotation = await host.CreateAsync(await host.RequestAsync("soon", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase, autoRotation: true));

        var due = await SetNextRotationAsync(host, rotation.Id, DateTimeOffset.UtcNow.AddSeconds(2));
        using var started = host.WaitFor<RunStartedEvent>(e => e.RotationId == rotation.Id && e.Trigger == RunTrigger.Schedule);
        using var finished = host.WaitFor<RunFinishedEvent>(e => e.RotationId == rotation.Id);
        await host.Scheduler.RescheduleAsync(rotation.Id, CancellationToken.None);
        Assert.Equal(due, await host.Scheduler.GetNextFireTimeAsync(rotation.Id));

        var start = await started.WaitAsync(TimeSpan.FromSeconds(10));
        var result = await finished.WaitAsync();
        var lag = start.OccurredAt - due;
        output.WriteLine($"scheduled start lag: {lag.TotalMilliseconds:0} ms after the due time; the run took {(result.OccurredAt - start.OccurredAt).TotalMilliseconds:0} ms");

        Assert.InRange(lag, TimeSpan.FromMilliseconds(-50), TimeSpan.FromSeconds(1));
        Assert.Equal(RunStatus.Succeeded, result.Status);
        var after = (await host.Rotations.GetAsync(rotation.Id))!;
        Assert.False(after.IsLastRotationManual);
        // A scheduled rotation just after its time adds exactly the interval (Infisical's formula).
        Assert.Equal(new DateTimeOffset(after.LastRotatedAt!.Value.UtcDateTime.Date, TimeSpan.Zero).AddDays(30), after.NextRotationAt);
        Assert.Equal(after.NextRotationAt, await host.Scheduler.GetNextFireTimeAsync(rotation.Id));
    }

    [Fact]
    public async Task An_overdue_rotation_runs_at_start_and_a_disabled_one_never_does()
    {
        await using var data = await CreateDataAsync();
        Guid overdueId;
        Guid disabledId;
        await using (var host = await EngineTestHost.StartAsync(data))
        {
            overdueId = (await host.CreateAsync(await host.RequestAsync("overdue", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase, autoRotation: true))).Id;
            disabledId = (await host.CreateAsync(await host.RequestAsync("disabled", SandboxSeed.BillingServiceClientId, RotationStrategy.SinglePhase, autoRotation: true))).Id;
            Assert.True((await host.UpdateRotation.ExecuteAsync(disabledId, new RotationChanges { IsAutoRotationEnabled = false }, EngineTestHost.Admin)).Succeeded);

            // Both were due while the dashboard was down (the disabled one only by a stale time).
            await SetNextRotationAsync(host, overdueId, DateTimeOffset.UtcNow.AddHours(-3));
            await SetNextRotationAsync(host, disabledId, DateTimeOffset.UtcNow.AddHours(-3));
        }

        await using var restarted = await EngineTestHost.StartAsync(data);
        await WaitForRunAsync(restarted, overdueId, RunTrigger.Schedule);
        await Task.Delay(300);

        Assert.Equal(RunStatus.Succeeded, (await restarted.Rotations.GetRunsAsync(overdueId)).Items[0].Status);
        Assert.Single((await restarted.Rotations.GetRunsAsync(disabledId)).Items);
        Assert.Null(await restarted.Scheduler.GetNextFireTimeAsync(disabledId));
    }

    [Fact]
    public async Task A_future_trigger_survives_a_restart_and_fires_at_its_time_on_the_new_host()
    {
        await using var data = await CreateDataAsync();
        Guid rotationId;
        DateTimeOffset due;
        await using (var host = await EngineTestHost.StartAsync(data))
        {
            rotationId = (await host.CreateAsync(await host.RequestAsync("restarted", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase, autoRotation: true))).Id;
            due = await SetNextRotationAsync(host, rotationId, DateTimeOffset.UtcNow.AddSeconds(6));
            await host.Scheduler.RescheduleAsync(rotationId, CancellationToken.None);
            Assert.Equal(due, await host.Scheduler.GetNextFireTimeAsync(rotationId));
        }

        // Quartz keeps its triggers in memory: the new host rebuilds this one from the database at start.
        await using var restarted = await EngineTestHost.StartAsync(data);
        using var started = restarted.WaitFor<RunStartedEvent>(e => e.RotationId == rotationId && e.Trigger == RunTrigger.Schedule);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(5);
        while (await restarted.Scheduler.GetNextFireTimeAsync(rotationId) is null && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(25);
        }

        Assert.Equal(due, await restarted.Scheduler.GetNextFireTimeAsync(rotationId));
        var start = await started.WaitAsync(TimeSpan.FromSeconds(15));
        output.WriteLine($"scheduled start lag after a restart: {(start.OccurredAt - due).TotalMilliseconds:0} ms");
        Assert.True(start.OccurredAt >= due.AddMilliseconds(-50), $"The run started at {start.OccurredAt:o}, before its time {due:o}.");
        await WaitForRunAsync(restarted, rotationId, RunTrigger.Schedule);
    }

    [Fact]
    public async Task Disabling_auto_rotation_clears_the_next_time_and_removes_the_trigger_at_once()
    {
        await using var data = await CreateDataAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var rotation = await host.CreateAsync(await host.RequestAsync("pause", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase, autoRotation: true));
        await SetNextRotationAsync(host, rotation.Id, DateTimeOffset.UtcNow.AddMilliseconds(800));
        await host.Scheduler.RescheduleAsync(rotation.Id, CancellationToken.None);
        Assert.NotNull(await host.Scheduler.GetNextFireTimeAsync(rotation.Id));

        var updated = await host.UpdateRotation.ExecuteAsync(rotation.Id, new RotationChanges { IsAutoRotationEnabled = false }, EngineTestHost.Admin);
        await Task.Delay(1500);

        Assert.True(updated.Succeeded, updated.ToString());
        Assert.Null(updated.Value.NextRotationAt);
        Assert.Null(await host.Scheduler.GetNextFireTimeAsync(rotation.Id));
        Assert.Single((await host.Rotations.GetRunsAsync(rotation.Id)).Items);

        // Even a trigger that slipped through (e.g. fired just before the update) does not rotate a disabled rotation.
        var stray = await host.Engine.StartAsync(rotation.Id, RunTrigger.Schedule, Core.Audit.Actor.Scheduler);
        Assert.Equal(RunStartStatus.NotDue, stray.Status);
    }

    [Fact]
    public async Task Turning_auto_rotation_off_withdraws_a_scheduled_run_waiting_for_its_lead_time_but_not_a_manual_one()
    {
        await using var data = await CreateDataAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var request = (await host.RequestAsync("lead", SandboxSeed.BillingServiceClientId, RotationStrategy.Staged, autoRotation: true)).With(s => s with { StagedLeadTime = TimeSpan.FromMinutes(10) });
        var rotation = await host.CreateAsync(request);
        var liveSecret = host.Sandbox.GetClientSecret(SandboxSeed.BillingServiceClientId);

        // Due in 9 minutes, so the 10-minute lead time has begun: the scheduler's run publishes NEXT and waits.
        await SetNextRotationAsync(host, rotation.Id, DateTimeOffset.UtcNow.AddMinutes(9));
        using var waiting = host.WaitFor<RunWaitingEvent>(e => e.RotationId == rotation.Id && e.Step == RunStepName.Apply);
        using var finished = host.WaitFor<RunFinishedEvent>(e => e.RotationId == rotation.Id);
        var start = await host.Engine.StartAsync(rotation.Id, RunTrigger.Schedule, Core.Audit.Actor.Scheduler);
        Assert.Equal(RunStartStatus.Started, start.Status);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(await host.RotationSecrets.ReadNextAsync(rotation.FolderId, rotation.SecretsMapping.ClientSecret!));

        var disabled = await host.UpdateRotation.ExecuteAsync(rotation.Id, new RotationChanges { IsAutoRotationEnabled = false }, EngineTestHost.Admin);
        Assert.True(disabled.Succeeded, disabled.ToString());
        var withdrawn = await finished.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(RunStatus.RolledBack, withdrawn.Status);
        Assert.StartsWith("Withdrawn: auto-rotation was turned off", withdrawn.Message);
        Assert.Equal(liveSecret, host.Sandbox.GetClientSecret(SandboxSeed.BillingServiceClientId));
        Assert.Null(await host.RotationSecrets.ReadNextAsync(rotation.FolderId, rotation.SecretsMapping.ClientSecret!));
        var after = (await host.Rotations.GetAsync(rotation.Id))!;
        Assert.Equal(("success", rotation.LastRotatedAt, (RunView?)null), (after.RotationStatus, after.LastRotatedAt, after.ActiveRun));
        await host.AssertConsumerAuthenticatesAsync(after);

        // A run somebody asked for by hand is theirs: settings saved during its lead time do not withdraw it.
        Assert.True((await host.UpdateRotation.ExecuteAsync(rotation.Id, new RotationChanges { StagedLeadTime = TimeSpan.FromSeconds(1) }, EngineTestHost.Admin)).Succeeded);
        using var manualWaiting = host.WaitFor<RunWaitingEvent>(e => e.RotationId == rotation.Id && e.Step == RunStepName.Apply);
        var manual = await host.RotateNow.ExecuteAsync(rotation.Id, RunTrigger.Manual, EngineTestHost.Admin, waitForCompletion: false);
        await manualWaiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True((await host.UpdateRotation.ExecuteAsync(rotation.Id, new RotationChanges { IsAutoRotationEnabled = false, Description = "edited" }, EngineTestHost.Admin)).Succeeded);
        var manualRun = await WaitForFinishedRunAsync(host, manual.Value.Run.Id);
        Assert.Equal(RunStatus.Succeeded, manualRun.Status);
        Assert.NotEqual(liveSecret, host.Sandbox.GetClientSecret(SandboxSeed.BillingServiceClientId));
    }

    [Fact]
    public async Task Edits_reschedule_and_a_staged_rotation_starts_its_lead_time_early()
    {
        await using var data = await CreateDataAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var rotation = await host.CreateAsync(await host.RequestAsync("edit", SandboxSeed.BillingServiceClientId, RotationStrategy.SinglePhase, autoRotation: true));
        Assert.Equal(rotation.NextRotationAt, await host.Scheduler.GetNextFireTimeAsync(rotation.Id));

        var edited = await host.UpdateRotation.ExecuteAsync(rotation.Id, new RotationChanges
        {
            RotationInterval = 7,
            RotateAtUtc = new RotateAtUtc(3, 30),
            Strategy = RotationStrategy.Staged,
            StagedLeadTime = TimeSpan.FromMinutes(10),
        }, EngineTestHost.Admin, rotation.RowVersion);

        Assert.True(edited.Succeeded, edited.ToString());
        var last = edited.Value.LastRotatedAt!.Value;
        var expected = new DateTimeOffset(last.UtcDateTime.Date, TimeSpan.Zero).Add(new TimeSpan(3, 30, 0)).AddDays(7);
        if (last.TimeOfDay >= new TimeSpan(3, 30, 0))
        {
            expected = expected.AddDays(1); // created by hand after the rotate-at time: a full interval
        }

        Assert.Equal(expected, edited.Value.NextRotationAt);
        Assert.Equal(expected - TimeSpan.FromMinutes(10), await host.Scheduler.GetNextFireTimeAsync(rotation.Id));

        // An editor holding an old version is told to reload.
        var stale = await host.UpdateRotation.ExecuteAsync(rotation.Id, new RotationChanges { Description = "x" }, EngineTestHost.Admin, rotation.RowVersion);
        Assert.Equal(OperationFailureKind.Conflict, stale.Failure!.Kind);
    }

    internal static async Task<DateTimeOffset> SetNextRotationAsync(EngineTestHost host, Guid rotationId, DateTimeOffset at)
    {
        // Whole milliseconds, as Quartz keeps them.
        var due = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
        await using var db = host.CreateContext();
        await db.Rotations.Where(r => r.Id == rotationId).ExecuteUpdateAsync(set => set.SetProperty(r => r.NextRotationAt, due));
        return due;
    }

    private static async Task<RunView> WaitForFinishedRunAsync(EngineTestHost host, Guid runId)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(15);
        while (true)
        {
            var run = (await host.Rotations.GetRunAsync(runId))!;
            if (run.Status != RunStatus.Running || DateTimeOffset.UtcNow > deadline)
            {
                return run;
            }

            await Task.Delay(50);
        }
    }

    private static async Task WaitForRunAsync(EngineTestHost host, Guid rotationId, RunTrigger trigger)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(15);
        while (DateTimeOffset.UtcNow < deadline)
        {
            await using var db = host.CreateContext();
            if (await db.RotationRuns.AnyAsync(r => r.RotationId == rotationId && r.Trigger == trigger && r.Status != RunStatus.Running))
            {
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail($"No finished {trigger} run of rotation {rotationId}.");
    }
}
