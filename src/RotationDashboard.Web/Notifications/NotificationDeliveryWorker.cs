using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Notifications;
using RotationDashboard.Core.Telemetry;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Notifications;

/// <summary>
/// Delivers pending deliveries whose time has come, one attempt each, and persists the outcome and the next attempt
/// (exponential backoff, <see cref="NotificationBackoff"/>), so retries survive restarts. Runs beside the engine and
/// never blocks a rotation.
/// </summary>
public sealed partial class NotificationDeliveryWorker(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    NotificationOutbox outbox,
    NotificationSender sender,
    ISecretProtector protector,
    IOptions<NotificationOptions> options,
    TimeProvider timeProvider,
    ILogger<NotificationDeliveryWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await DeliverDueAsync(stoppingToken) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogLoopFailed(logger, ex);
            }

            await outbox.WaitForWorkAsync(options.Value.DeliveryPollInterval, stoppingToken);
        }
    }

    /// <summary>Makes one attempt at each due delivery (at most a batch); returns how many were attempted.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        List<Guid> due;
        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            due = await db.NotificationDeliveries
                .Where(d => d.Status == DeliveryStatuses.Pending && (d.NextAttemptAt == null || d.NextAttemptAt <= now))
                .OrderBy(d => d.NextAttemptAt).Select(d => d.Id).Take(20).ToListAsync(cancellationToken);
        }

        foreach (var id in due)
        {
            await AttemptAsync(id, manual: false, cancellationToken);
        }

        return due.Count;
    }

    /// <summary>One attempt at one delivery, recorded.</summary>
    public async Task<DeliveryAttempt?> AttemptAsync(Guid deliveryId, bool manual, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var delivery = await db.NotificationDeliveries.Include(d => d.Event).Include(d => d.Channel)
            .SingleOrDefaultAsync(d => d.Id == deliveryId, cancellationToken);
        if (delivery is null || delivery.Event is null || delivery.Channel is null)
        {
            return null;
        }

        if (!manual && (delivery.Status != DeliveryStatuses.Pending || delivery.NextAttemptAt > timeProvider.GetUtcNow()))
        {
            return null; // another worker got there first
        }

        var o = options.Value;
        DeliveryAttempt attempt;
        try
        {
            var secret = delivery.Channel.EncryptedSecret is { } blob
                ? protector.UnprotectString(blob, ProtectionPurpose(delivery.Channel.Id))
                : null;
            attempt = await sender.SendAsync(delivery.Channel, secret, NotificationOutbox.Read(delivery.Event), delivery.Id, o.RequestTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            attempt = DeliveryAttempt.Failed($"Unexpected {ex.GetType().Name}.", TimeSpan.Zero);
            LogUnexpected(logger, ex, delivery.Id);
        }

        var now = timeProvider.GetUtcNow();
        delivery.Attempts++;
        delivery.LastAttemptAt = now;
        delivery.LastStatusCode = attempt.StatusCode;
        delivery.LastDurationMs = (long)attempt.Duration.TotalMilliseconds;
        delivery.LastError = attempt.Error is { Length: > 500 } e ? e[..500] : attempt.Error;
        string outcome;
        if (attempt.Succeeded)
        {
            delivery.Status = DeliveryStatuses.Delivered;
            delivery.NextAttemptAt = null;
            outcome = "delivered";
            LogDelivered(logger, delivery.Event.Type, delivery.Channel.Name, delivery.Attempts, delivery.LastDurationMs.Value);
        }
        else if (delivery.Attempts >= o.MaxAttempts || manual)
        {
            delivery.Status = DeliveryStatuses.Failed;
            delivery.NextAttemptAt = null;
            outcome = "gave_up";
            LogGaveUp(logger, delivery.Event.Type, delivery.Channel.Name, delivery.Attempts, attempt.Error ?? "");
        }
        else
        {
            delivery.NextAttemptAt = now + NotificationBackoff.After(delivery.Attempts, o.RetryBaseDelay, o.RetryMaxDelay);
            outcome = "failed";
            LogRetrying(logger, delivery.Event.Type, delivery.Channel.Name, delivery.Attempts, attempt.Error ?? "", delivery.NextAttemptAt.Value);
        }

        DashboardTelemetry.NotificationDeliveries.Add(1, new KeyValuePair<string, object?>("channel_type", delivery.Channel.Kind),
            new KeyValuePair<string, object?>("outcome", outcome));
        await db.SaveChangesAsync(CancellationToken.None);
        return attempt;
    }

    public static string ProtectionPurpose(Guid channelId) => $"notification-channel:{channelId:N}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {Type} delivered to {Channel} (attempt {Attempt}, {DurationMs} ms)")]
    private static partial void LogDelivered(ILogger logger, string type, string channel, int attempt, long durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {Type} to {Channel} failed (attempt {Attempt}: {Error}); next attempt at {NextAttemptAt:O}")]
    private static partial void LogRetrying(ILogger logger, string type, string channel, int attempt, string error, DateTimeOffset nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up delivering notification {Type} to {Channel} after {Attempts} attempt(s): {Error}")]
    private static partial void LogGaveUp(ILogger logger, string type, string channel, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notification delivery {DeliveryId} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, Guid deliveryId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The notification delivery loop failed; it tries again shortly")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);
}
