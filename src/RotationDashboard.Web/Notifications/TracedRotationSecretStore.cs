using System.Diagnostics;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Core.Telemetry;

namespace RotationDashboard.Web.Notifications;

/// <summary>
/// A span per secret-store call the engine makes (<c>secret_store.publish_next</c>, …), so a run's trace shows its
/// writes beside its Auth0 calls. Tags are ids, key counts and the outcome: never a key's value.
/// </summary>
internal sealed class TracedRotationSecretStore(IRotationSecretStore inner) : IRotationSecretStore
{
    public Task<SecretValueSnapshot?> ReadCurrentAsync(Guid folderId, string key, CancellationToken cancellationToken = default) =>
        TraceAsync("secret_store.read_current", null, 1, () => inner.ReadCurrentAsync(folderId, key, cancellationToken), _ => null);

    public Task<SecretValueSnapshot?> ReadNextAsync(Guid folderId, string key, CancellationToken cancellationToken = default) =>
        TraceAsync("secret_store.read_next", null, 1, () => inner.ReadNextAsync(folderId, key, cancellationToken), _ => null);

    public Task<OperationResult> PublishNextAsync(RotationIdentity rotation, Guid folderId, IReadOnlyDictionary<string, string> values, Actor actor,
        CancellationToken cancellationToken = default) =>
        TraceAsync("secret_store.publish_next", rotation, values.Count, () => inner.PublishNextAsync(rotation, folderId, values, actor, cancellationToken), Outcome);

    public Task<OperationResult> PromoteNextAsync(RotationIdentity rotation, Guid folderId, IReadOnlyCollection<string> keys, Actor actor,
        CancellationToken cancellationToken = default) =>
        TraceAsync("secret_store.promote_next", rotation, keys.Count, () => inner.PromoteNextAsync(rotation, folderId, keys, actor, cancellationToken), Outcome);

    public Task<OperationResult> DiscardNextAsync(RotationIdentity rotation, Guid folderId, IReadOnlyCollection<string> keys, Actor actor,
        CancellationToken cancellationToken = default) =>
        TraceAsync("secret_store.discard_next", rotation, keys.Count, () => inner.DiscardNextAsync(rotation, folderId, keys, actor, cancellationToken), Outcome);

    public Task<OperationResult> SetCurrentAsync(RotationIdentity rotation, Guid folderId, IReadOnlyDictionary<string, string> values, Actor actor,
        CancellationToken cancellationToken = default) =>
        TraceAsync("secret_store.set_current", rotation, values.Count, () => inner.SetCurrentAsync(rotation, folderId, values, actor, cancellationToken), Outcome);

    public Task<OperationResult> ReleaseRotationSecretsAsync(RotationIdentity rotation, Actor actor, CancellationToken cancellationToken = default) =>
        TraceAsync("secret_store.release", rotation, 0, () => inner.ReleaseRotationSecretsAsync(rotation, actor, cancellationToken), Outcome);

    private static string? Outcome(OperationResult result) => result.Failure?.Kind.ToString() ?? "Success";

    private static async Task<T> TraceAsync<T>(string name, RotationIdentity? rotation, int keys, Func<Task<T>> call, Func<T, string?> outcome)
    {
        using var activity = DashboardTelemetry.ActivitySource.StartActivity(name, ActivityKind.Internal);
        if (activity is null)
        {
            return await call();
        }

        if (rotation is not null) activity.SetTag("rotation.id", rotation.Id);
        activity.SetTag("secret.keys", keys);
        try
        {
            var result = await call();
            if (outcome(result) is { } o) activity.SetTag("outcome", o);
            return result;
        }
        catch (Exception ex)
        {
            activity.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }
}
