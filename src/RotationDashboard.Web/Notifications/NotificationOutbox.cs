using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Notifications;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Notifications;

/// <summary>
/// Records each occurrence once (unique occurrence key) together with one pending delivery per subscribed, enabled
/// channel, in one transaction, then wakes the delivery worker. Never throws into its caller's work: a rotation must
/// not fail because a notification could not be recorded.
/// </summary>
public sealed partial class NotificationOutbox(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    TimeProvider timeProvider,
    ILogger<NotificationOutbox> logger)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Completes when something was enqueued (or the wait is cancelled).</summary>
    public async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _wake.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }

    public void Wake()
    {
        try { _wake.Release(); }
        catch (SemaphoreFullException) { }
    }

    /// <summary>True when this call recorded the occurrence; false when it was already recorded (or recording failed).</summary>
    public async Task<bool> EnqueueAsync(string occurrenceKey, NotificationEvent notification, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            if (await db.NotificationEvents.AnyAsync(e => e.OccurrenceKey == occurrenceKey, cancellationToken))
            {
                return false;
            }

            var subscriptions = await db.NotificationSubscriptions
                .Where(s => s.EventType == notification.Type)
                .Join(db.NotificationChannels.Where(c => c.IsEnabled), s => s.ChannelId, c => c.Id, (s, c) => s)
                .ToListAsync(cancellationToken);
            var now = timeProvider.GetUtcNow();
            var row = new NotificationOutboxEvent
            {
                Id = notification.Id,
                OccurrenceKey = occurrenceKey,
                Type = notification.Type,
                RotationId = notification.RotationId,
                OccurredAt = notification.OccurredAt,
                Payload = JsonSerializer.Serialize(notification, Json),
            };
            db.NotificationEvents.Add(row);
            foreach (var channelId in subscriptions
                         .Where(s => NotificationFilter.Matches(notification, s.EventType, s.ProjectId, s.Environment, s.RotationId))
                         .Select(s => s.ChannelId).Distinct())
            {
                db.NotificationDeliveries.Add(new NotificationDelivery
                {
                    Id = Guid.NewGuid(), EventId = row.Id, ChannelId = channelId, Status = DeliveryStatuses.Pending, NextAttemptAt = now, CreatedAt = now,
                });
            }

            await db.SaveChangesAsync(cancellationToken);
            LogRecorded(logger, notification.Type, occurrenceKey);
            Wake();
            return true;
        }
        catch (DbUpdateException ex) when (ex.IsConstraintViolation())
        {
            return false; // another instance (or scan) recorded it first
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex, notification.Type, occurrenceKey);
            return false;
        }
    }

    public static NotificationEvent Read(NotificationOutboxEvent row) =>
        JsonSerializer.Deserialize<NotificationEvent>(row.Payload, Json) ?? throw new InvalidOperationException("Empty notification payload.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification event {Type} recorded ({OccurrenceKey})")]
    private static partial void LogRecorded(ILogger logger, string type, string occurrenceKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record notification event {Type} ({OccurrenceKey})")]
    private static partial void LogFailed(ILogger logger, Exception exception, string type, string occurrenceKey);
}
