using System.Collections.Concurrent;
using System.Security.Claims;
using RotationDashboard.Core.Audit;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Audit;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Api.Consumer;

/// <summary>
/// Audits consumer reads without a database write per request: the first read of a secret by a caller (API token
/// or signed-in user) is recorded as <c>secret.consumer-read</c>, then at most once per <see cref="Interval"/> per
/// caller and secret. The record names the caller, the secret and the version ids read, never a value. Kept in
/// memory, so a restart records the next read again.
/// </summary>
public sealed partial class ConsumerReadAudit(IAuditLog audit, TimeProvider timeProvider, ILogger<ConsumerReadAudit> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    private const int PruneAbove = 10_000;

    private readonly ConcurrentDictionary<(string? Scheme, string? Caller, Guid SecretId), DateTimeOffset> _recorded = new();

    public Task RecordAsync(ClaimsPrincipal user, MappedSecret secret, Guid projectId, string environment, string path, CancellationToken cancellationToken)
    {
        var key = (user.Identity?.AuthenticationType, user.Identity?.Name, secret.SecretId);
        var now = timeProvider.GetUtcNow();
        var due = _recorded.TryGetValue(key, out var last)
            ? now - last >= Interval && _recorded.TryUpdate(key, now, last)
            : _recorded.TryAdd(key, now);
        return due ? WriteAsync(key, user, secret, projectId, environment, path, cancellationToken) : Task.CompletedTask;
    }

    private async Task WriteAsync(
        (string?, string?, Guid) key,
        ClaimsPrincipal user,
        MappedSecret secret,
        Guid projectId,
        string environment,
        string path,
        CancellationToken cancellationToken)
    {
        Prune();
        var actor = DashboardUser.FromPrincipal(user).Actor;
        var versions = secret.NextVersionId is { } next ? $"CURRENT {secret.CurrentVersionId} and NEXT {next}" : $"CURRENT {secret.CurrentVersionId}";
        try
        {
            await audit.WriteAsync(actor, AuditActions.SecretConsumerRead, AuditTarget.Secret(secret.SecretId, secret.Key), AuditOutcome.Success,
                $"Read {versions} through the consumer API ({projectId} {environment}:{path}). Further reads by this caller are recorded at most once an hour.",
                cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The read itself succeeded; the audit entry is tried again on the next read.
            _recorded.TryRemove(key, out _);
            LogAuditFailed(logger, exception, secret.Key);
        }
    }

    private void Prune()
    {
        if (_recorded.Count <= PruneAbove)
        {
            return;
        }

        var cutoff = timeProvider.GetUtcNow() - Interval;
        foreach (var entry in _recorded)
        {
            if (entry.Value < cutoff)
            {
                _recorded.TryRemove(entry);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording a consumer read of secret {Key} in the audit log failed")]
    private static partial void LogAuditFailed(ILogger logger, Exception exception, string key);
}
