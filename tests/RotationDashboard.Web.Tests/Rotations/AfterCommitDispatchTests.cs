using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Scheduling;
using RotationDashboard.Sandbox;
using RotationDashboard.Testing;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Tests.Rotations;

/// <summary>
/// One change path: a saved change to a rotation reaches the scheduler, the engine and the live UI once, after it is
/// committed, and never when the save fails or its transaction is rolled back.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public class AfterCommitDispatchTests
{
    [Fact]
    public async Task Create_update_and_delete_each_dispatch_their_change_once()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var changes = new ConcurrentQueue<RotationChangedEvent>();
        using var subscription = host.Notifier.Subscribe(e => { if (e is RotationChangedEvent { Kind: not RotationChangeKind.StateChanged } c) changes.Enqueue(c); });

        var rotation = await host.CreateAsync(await host.RequestAsync("dispatch", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase, autoRotation: true));
        Assert.Equal([RotationChangeKind.Created], changes.Where(c => c.RotationId == rotation.Id).Select(c => c.Kind));

        var updated = await host.UpdateRotation.ExecuteAsync(rotation.Id, new RotationChanges { RotationInterval = 3 }, EngineTestHost.Admin);
        Assert.True(updated.Succeeded, updated.ToString());
        Assert.Equal([RotationChangeKind.Created, RotationChangeKind.Updated], changes.Where(c => c.RotationId == rotation.Id).Select(c => c.Kind));
        // The scheduler followed the saved change without the use case asking.
        Assert.NotNull(await host.Scheduler.GetNextFireTimeAsync(rotation.Id));

        var deleted = await host.DeleteRotation.ExecuteAsync(rotation.Id, revokeGeneratedCredentials: false, deleteSecrets: true, EngineTestHost.Admin);
        Assert.True(deleted.Succeeded, deleted.ToString());
        Assert.Equal([RotationChangeKind.Created, RotationChangeKind.Updated, RotationChangeKind.Deleted],
            changes.Where(c => c.RotationId == rotation.Id).Select(c => c.Kind));
        Assert.Null(await host.Scheduler.GetNextFireTimeAsync(rotation.Id));
    }

    [Fact]
    public async Task A_change_saved_in_a_transaction_is_dispatched_when_it_commits_and_dropped_when_it_rolls_back()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var rotation = await host.CreateAsync(await host.RequestAsync("tx", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase, autoRotation: true));
        var updates = new ConcurrentQueue<RotationChangedEvent>();
        using var subscription = host.Notifier.Subscribe(e => { if (e is RotationChangedEvent { Kind: RotationChangeKind.Updated } c && c.RotationId == rotation.Id) updates.Enqueue(c); });

        await using (var db = host.CreateContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var tracked = await db.Rotations.SingleAsync(r => r.Id == rotation.Id);
            tracked.Update(new RotationChanges { RotationInterval = 5 }, NextRotationCalculator.Default, DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
            Assert.Empty(updates); // saved, not committed

            await transaction.RollbackAsync();
            Assert.Empty(updates);
        }

        await using (var db = host.CreateContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var tracked = await db.Rotations.SingleAsync(r => r.Id == rotation.Id);
            tracked.Update(new RotationChanges { RotationInterval = 7 }, NextRotationCalculator.Default, DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
            Assert.Empty(updates);

            await transaction.CommitAsync();
            Assert.Single(updates);

            // Dispatched once: a later save of the same context has nothing new to say.
            await db.SaveChangesAsync();
            Assert.Single(updates);
        }

        Assert.Equal(7, (await host.Rotations.GetAsync(rotation.Id))!.RotationInterval);
    }

    [Fact]
    public async Task A_save_that_fails_dispatches_nothing()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var rotation = await host.CreateAsync(await host.RequestAsync("fails", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase, autoRotation: true));
        var updates = new ConcurrentQueue<RotationChangedEvent>();
        using var subscription = host.Notifier.Subscribe(e => { if (e is RotationChangedEvent { Kind: RotationChangeKind.Updated } c && c.RotationId == rotation.Id) updates.Enqueue(c); });

        await using var db = host.CreateContext();
        var tracked = await db.Rotations.SingleAsync(r => r.Id == rotation.Id);
        tracked.Update(new RotationChanges { RotationInterval = 9 }, NextRotationCalculator.Default, DateTimeOffset.UtcNow);
        // Someone else saved meanwhile: the optimistic-concurrency check refuses this save.
        db.Entry(tracked).Property(r => r.RowVersion).OriginalValue = tracked.RowVersion - 1;

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => db.SaveChangesAsync());
        Assert.Empty(updates);
        Assert.NotEqual(9, (await host.Rotations.GetAsync(rotation.Id))!.RotationInterval);
    }
}
