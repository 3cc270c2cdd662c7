using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Secrets;

namespace RotationDashboard.Web.Services.Secrets;

/// <summary>
/// Invalidates <see cref="SecretValueCache"/> on every save that touches secrets, versions, folders,
/// environments or projects, whoever makes it (the secret store, the rotation engine, anything with a
/// DbContext): before the save, after it, and again when an explicit transaction commits.
/// Bulk <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> on those tables bypass this and must call
/// <see cref="SecretValueCache.InvalidateAll"/> themselves.
/// </summary>
public sealed class SecretCacheInvalidationInterceptor(SecretValueCache cache) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, object> _pendingCommit = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        BeforeSave(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData,
        InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        BeforeSave(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        AfterSave(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        AfterSave(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => AfterSave(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        AfterSave(eventData.Context);
        return Task.CompletedTask;
    }

    void IDbTransactionInterceptor.TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        OnCommitted(eventData.Context);

    Task IDbTransactionInterceptor.TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken)
    {
        OnCommitted(eventData.Context);
        return Task.CompletedTask;
    }

    private static bool TouchesSecretData(DbContext context) =>
        context.ChangeTracker.Entries().Any(e =>
            e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted
            && e.Entity is Secret or SecretVersion or Folder or ProjectEnvironment or Project);

    private void BeforeSave(DbContext? context)
    {
        if (context is not null && TouchesSecretData(context))
        {
            _pendingCommit.AddOrUpdate(context, context);
            cache.InvalidateAll();
        }
    }

    private void AfterSave(DbContext? context)
    {
        if (context is not null && _pendingCommit.TryGetValue(context, out _))
        {
            cache.InvalidateAll();
            if (context.Database.CurrentTransaction is null)
            {
                _pendingCommit.Remove(context);
            }
        }
    }

    private void OnCommitted(DbContext? context)
    {
        if (context is not null && _pendingCommit.TryGetValue(context, out _))
        {
            _pendingCommit.Remove(context);
            cache.InvalidateAll();
        }
    }
}
