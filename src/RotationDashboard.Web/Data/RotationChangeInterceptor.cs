using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Web.Application.Rotations;

namespace RotationDashboard.Web.Data;

/// <summary>
/// Takes the changes a save's rotations recorded (<see cref="Rotation.RecordedChanges"/>) and hands them to
/// <see cref="RotationChangeDispatcher"/> once, after they are committed: right after the save, or when an explicit
/// transaction commits. A failed save or a rolled-back transaction dispatches nothing.
/// </summary>
/// <remarks>
/// The dispatcher is resolved when first needed: it depends (through the scheduler) on the context factory whose
/// options hold this interceptor. Hosts without the rotation engine have no dispatcher; changes are then dropped.
/// </remarks>
public sealed class RotationChangeInterceptor(IServiceProvider services) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, List<(Guid, RotationChangeKind)>> _saving = [];
    private readonly ConditionalWeakTable<DbContext, List<(Guid, RotationChangeKind)>> _awaitingCommit = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData,
        InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        AfterSaveAsync(eventData.Context).GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        await AfterSaveAsync(eventData.Context);
        return result;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Discard(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context);
        return Task.CompletedTask;
    }

    void IDbTransactionInterceptor.TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        OnCommittedAsync(eventData.Context).GetAwaiter().GetResult();

    Task IDbTransactionInterceptor.TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken) =>
        OnCommittedAsync(eventData.Context);

    void IDbTransactionInterceptor.TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
        DiscardUncommitted(eventData.Context);

    Task IDbTransactionInterceptor.TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken)
    {
        DiscardUncommitted(eventData.Context);
        return Task.CompletedTask;
    }

    private void Collect(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var changes = new List<(Guid, RotationChangeKind)>();
        foreach (var entry in context.ChangeTracker.Entries<Rotation>())
        {
            changes.AddRange(entry.Entity.RecordedChanges.Select(kind => (entry.Entity.Id, kind)));
            entry.Entity.ClearRecordedChanges();
        }

        if (changes.Count > 0)
        {
            _saving.AddOrUpdate(context, changes);
        }
    }

    private async Task AfterSaveAsync(DbContext? context)
    {
        if (context is null || !_saving.TryGetValue(context, out var changes))
        {
            return;
        }

        _saving.Remove(context);
        if (context.Database.CurrentTransaction is not null)
        {
            // Not committed yet: wait for the transaction (a rollback drops them).
            _awaitingCommit.GetOrCreateValue(context).AddRange(changes);
            return;
        }

        await DispatchAsync(changes);
    }

    private async Task OnCommittedAsync(DbContext? context)
    {
        if (context is not null && _awaitingCommit.TryGetValue(context, out var changes))
        {
            _awaitingCommit.Remove(context);
            await DispatchAsync(changes);
        }
    }

    private void Discard(DbContext? context)
    {
        if (context is not null)
        {
            _saving.Remove(context);
        }
    }

    private void DiscardUncommitted(DbContext? context)
    {
        if (context is not null)
        {
            _awaitingCommit.Remove(context);
        }
    }

    private Task DispatchAsync(List<(Guid, RotationChangeKind)> changes) =>
        services.GetService<RotationChangeDispatcher>()?.DispatchAsync(changes) ?? Task.CompletedTask;
}
