using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Notifications;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.Notifications;

/// <summary>What the Notifications page types in; the secret is write-only (never read back).</summary>
public sealed record ChannelInput
{
    public string Name { get; set; } = "";

    public string Kind { get; set; } = ChannelKinds.Webhook;

    /// <summary>Webhook: the receiver's URL. Slack: the incoming-webhook URL (kept encrypted, as it is the credential).</summary>
    public string? Url { get; set; }

    /// <summary>Webhook: the signing secret (generated when empty). E-mail: the SMTP password.</summary>
    public string? Secret { get; set; }

    public string? SmtpHost { get; set; }

    public int? SmtpPort { get; set; }

    public string? SmtpSecurity { get; set; }

    public string? SmtpUser { get; set; }

    public string? From { get; set; }

    public string? To { get; set; }
}

public sealed record ChannelView(Guid Id, string Name, string Kind, string Target, bool IsEnabled, IReadOnlyList<SubscriptionView> Subscriptions);

public sealed record SubscriptionView(Guid Id, string EventType, Guid? ProjectId, string? Environment, Guid? RotationId)
{
    public string Label => NotificationEventTypes.Label(EventType);

    public string Scope => string.Join(", ", new[]
    {
        ProjectId is { } p ? "project " + p.ToString()[..8] : null,
        Environment is { Length: > 0 } e ? "environment " + e : null,
        RotationId is { } r ? "rotation " + r.ToString()[..8] : null,
    }.Where(s => s is not null)) is { Length: > 0 } scope ? scope : "all";
}

public sealed record DeliveryView(
    Guid Id, string EventType, string Summary, Guid? RotationId, string ChannelName, string ChannelKind, string Status, int Attempts,
    int? LastStatusCode, long? LastDurationMs, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt);

/// <summary>The Notifications page's operations. Changes are Admin-only (checked here, not only hidden in the page).</summary>
public sealed partial class NotificationCenter(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    ISecretProtector protector,
    NotificationAddressPolicy addressPolicy,
    NotificationOutbox outbox,
    NotificationDeliveryWorker worker,
    IOptions<NotificationOptions> options,
    TimeProvider timeProvider,
    ILogger<NotificationCenter> logger) : ILatestRotationDelivery, INotificationAdministration
{
    public async Task<IReadOnlyList<ChannelView>> ListChannelsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var channels = await db.NotificationChannels.AsNoTracking().Include(c => c.Subscriptions).OrderBy(c => c.Name).ToListAsync(cancellationToken);
        return channels.Select(ToView).ToList();
    }

    public async Task<OperationResult<ChannelView>> CreateChannelAsync(ChannelInput input, DashboardUser user, CancellationToken cancellationToken = default)
    {
        user.EnsureAdmin("manage notification channels");
        var errors = new ValidationErrors();
        var name = input.Name.Trim();
        if (name.Length is 0 or > 128) errors.Add("name", "Enter a name (at most 128 characters).");
        ChannelSettings settings;
        string? secret;
        switch (input.Kind)
        {
            case ChannelKinds.Webhook:
                if (await addressPolicy.CheckUrlAsync(input.Url, cancellationToken) is { } webhookProblem) errors.Add("url", webhookProblem);
                settings = new ChannelSettings { Url = input.Url?.Trim() };
                secret = string.IsNullOrWhiteSpace(input.Secret) ? Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) : input.Secret.Trim();
                break;
            case ChannelKinds.Slack:
                if (await addressPolicy.CheckUrlAsync(input.Url, cancellationToken) is { } slackProblem) errors.Add("url", slackProblem);
                var host = Uri.TryCreate(input.Url?.Trim(), UriKind.Absolute, out var slackUri) ? slackUri.Authority : "";
                settings = new ChannelSettings { Url = host };
                secret = input.Url?.Trim();
                break;
            case ChannelKinds.Email:
                if (string.IsNullOrWhiteSpace(input.SmtpHost)) errors.Add("smtpHost", "Enter the SMTP host.");
                else if (await addressPolicy.CheckHostAsync(input.SmtpHost.Trim(), cancellationToken) is { } smtpProblem) errors.Add("smtpHost", smtpProblem);
                if (input.SmtpPort is < 1 or > 65535) errors.Add("smtpPort", "Enter a port between 1 and 65535.");
                if (input.SmtpSecurity is { } sec && sec is not ("starttls" or "tls" or "none")) errors.Add("smtpSecurity", "Choose starttls, tls or none.");
                if (!MimeKit.MailboxAddress.TryParse(input.From ?? "", out _)) errors.Add("from", "Enter the sender's address.");
                if (string.IsNullOrWhiteSpace(input.To) || input.To.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Any(a => !MimeKit.MailboxAddress.TryParse(a, out _)))
                    errors.Add("to", "Enter one or more recipients, separated by commas.");
                settings = new ChannelSettings
                {
                    SmtpHost = input.SmtpHost?.Trim(), SmtpPort = input.SmtpPort ?? 587, SmtpSecurity = input.SmtpSecurity ?? "starttls",
                    SmtpUser = string.IsNullOrWhiteSpace(input.SmtpUser) ? null : input.SmtpUser.Trim(), From = input.From?.Trim(), To = input.To?.Trim(),
                };
                secret = string.IsNullOrEmpty(input.Secret) ? null : input.Secret;
                break;
            default:
                errors.Add("kind", "Choose webhook, slack or email.");
                settings = new ChannelSettings();
                secret = null;
                break;
        }

        if (errors.HasErrors) return OperationResult<ChannelView>.Invalid(errors);

        var now = timeProvider.GetUtcNow();
        var channel = new NotificationChannel
        {
            Id = Guid.NewGuid(), Name = name, Kind = input.Kind, Settings = JsonSerializer.Serialize(settings, NotificationOutbox.Json), CreatedAt = now,
        };
        channel.EncryptedSecret = secret is null ? null : protector.ProtectString(secret, NotificationDeliveryWorker.ProtectionPurpose(channel.Id));
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        db.NotificationChannels.Add(channel);
        db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, "notification-channel.create",
            new AuditTarget("notification-channel", channel.Id.ToString(), name), AuditOutcome.Success, $"kind {input.Kind}"));
        await db.SaveChangesAsync(cancellationToken);
        LogChannelCreated(logger, channel.Id, channel.Kind);
        return OperationResult.Success(ToView(channel));
    }

    /// <summary>The webhook signing secret, for the receiver's configuration (Admin only).</summary>
    public async Task<string?> RevealWebhookSecretAsync(Guid channelId, DashboardUser user, CancellationToken cancellationToken = default)
    {
        user.EnsureAdmin("see a webhook signing secret");
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var channel = await db.NotificationChannels.AsNoTracking().SingleOrDefaultAsync(c => c.Id == channelId, cancellationToken);
        return channel is { Kind: ChannelKinds.Webhook, EncryptedSecret: { } blob }
            ? protector.UnprotectString(blob, NotificationDeliveryWorker.ProtectionPurpose(channel.Id))
            : null;
    }

    public async Task<bool> DeleteChannelAsync(Guid channelId, DashboardUser user, CancellationToken cancellationToken = default)
    {
        user.EnsureAdmin("manage notification channels");
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var channel = await db.NotificationChannels.SingleOrDefaultAsync(c => c.Id == channelId, cancellationToken);
        if (channel is null) return false;
        db.NotificationChannels.Remove(channel);
        db.AuditEvents.Add(AuditEvent.Record(timeProvider.GetUtcNow(), user.Actor, "notification-channel.delete",
            new AuditTarget("notification-channel", channel.Id.ToString(), channel.Name), AuditOutcome.Success));
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<OperationResult<SubscriptionView>> SubscribeAsync(
        Guid channelId, string eventType, Guid? projectId, string? environment, Guid? rotationId, DashboardUser user, CancellationToken cancellationToken = default)
    {
        user.EnsureAdmin("manage notification subscriptions");
        if (!NotificationEventTypes.All.Any(t => t.Type == eventType))
            return OperationResult<SubscriptionView>.Invalid(ValidationErrors.For("eventType", "Choose an event type."));
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.NotificationChannels.AnyAsync(c => c.Id == channelId, cancellationToken))
            return OperationResult<SubscriptionView>.NotFound("The channel does not exist.");
        var subscription = new NotificationSubscription
        {
            Id = Guid.NewGuid(), ChannelId = channelId, EventType = eventType, ProjectId = projectId,
            Environment = string.IsNullOrWhiteSpace(environment) ? null : environment.Trim(), RotationId = rotationId, CreatedAt = timeProvider.GetUtcNow(),
        };
        db.NotificationSubscriptions.Add(subscription);
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult.Success(ToView(subscription));
    }

    public async Task UnsubscribeAsync(Guid subscriptionId, DashboardUser user, CancellationToken cancellationToken = default)
    {
        user.EnsureAdmin("manage notification subscriptions");
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await db.NotificationSubscriptions.Where(s => s.Id == subscriptionId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Sends a test event to one channel now (one attempt, no retries) and logs it like any delivery.</summary>
    public async Task<DeliveryAttempt?> SendTestAsync(Guid channelId, DashboardUser user, CancellationToken cancellationToken = default)
    {
        user.EnsureAdmin("send test notifications");
        var now = timeProvider.GetUtcNow();
        var test = new NotificationEvent
        {
            Id = Guid.NewGuid(), Type = NotificationEventTypes.Test, OccurredAt = now, Summary = "Test notification from the Rotation Dashboard",
        };
        Guid deliveryId;
        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            if (!await db.NotificationChannels.AnyAsync(c => c.Id == channelId, cancellationToken)) return null;
            db.NotificationEvents.Add(new NotificationOutboxEvent
            {
                Id = test.Id, OccurrenceKey = $"test:{test.Id:N}", Type = test.Type, OccurredAt = now,
                Payload = JsonSerializer.Serialize(test, NotificationOutbox.Json),
            });
            deliveryId = Guid.NewGuid();
            db.NotificationDeliveries.Add(new NotificationDelivery
            {
                Id = deliveryId, EventId = test.Id, ChannelId = channelId, Status = DeliveryStatuses.Pending, CreatedAt = now,
                NextAttemptAt = DateTimeOffset.MaxValue, // the worker leaves it alone: this call makes the one attempt
            });
            await db.SaveChangesAsync(cancellationToken);
        }

        return await worker.AttemptAsync(deliveryId, manual: true, cancellationToken);
    }

    public async Task<IReadOnlyList<DeliveryView>> ListDeliveriesAsync(int take = 100, Guid? rotationId = null, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var query = db.NotificationDeliveries.AsNoTracking().Include(d => d.Event).Include(d => d.Channel).AsQueryable();
        if (rotationId is { } r) query = query.Where(d => d.Event!.RotationId == r);
        var rows = await query.OrderByDescending(d => d.CreatedAt).Take(take).ToListAsync(cancellationToken);
        return rows.Select(d =>
        {
            var e = NotificationOutbox.Read(d.Event!);
            return new DeliveryView(d.Id, e.Type, e.Summary, e.RotationId, d.Channel!.Name, d.Channel.Kind, d.Status, d.Attempts, d.LastStatusCode,
                d.LastDurationMs, d.LastError, d.CreatedAt, d.LastAttemptAt, d.Status == DeliveryStatuses.Pending ? d.NextAttemptAt : null);
        }).ToList();
    }

    /// <summary>Puts a failed delivery back in the queue with a fresh set of attempts.</summary>
    public async Task<bool> RetryAsync(Guid deliveryId, DashboardUser user, CancellationToken cancellationToken = default)
    {
        user.EnsureAdmin("retry notifications");
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var delivery = await db.NotificationDeliveries.SingleOrDefaultAsync(d => d.Id == deliveryId, cancellationToken);
        if (delivery is null || delivery.Status == DeliveryStatuses.Delivered) return false;
        delivery.Status = DeliveryStatuses.Pending;
        delivery.Attempts = 0;
        delivery.NextAttemptAt = timeProvider.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        outbox.Wake();
        return true;
    }

    /// <summary>The latest delivered notification about a rotation, for its page ("notified Slack #ops at 10:04").</summary>
    public async Task<DeliveryView?> LatestForRotationAsync(Guid rotationId, CancellationToken cancellationToken = default) =>
        (await ListDeliveriesAsync(20, rotationId, cancellationToken)).FirstOrDefault(d => d.Status == DeliveryStatuses.Delivered);

    public int MaxAttempts => options.Value.MaxAttempts;

    private static ChannelView ToView(NotificationChannel c)
    {
        var s = JsonSerializer.Deserialize<ChannelSettings>(c.Settings, NotificationOutbox.Json) ?? new ChannelSettings();
        var target = c.Kind switch
        {
            ChannelKinds.Email => $"{s.To} via {s.SmtpHost}:{s.SmtpPort} ({s.SmtpSecurity})",
            ChannelKinds.Slack => $"{s.Url} (URL kept encrypted)",
            _ => s.Url ?? "",
        };
        return new ChannelView(c.Id, c.Name, c.Kind, target, c.IsEnabled, c.Subscriptions.Select(ToView).ToList());
    }

    private static SubscriptionView ToView(NotificationSubscription s) => new(s.Id, s.EventType, s.ProjectId, s.Environment, s.RotationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification channel {ChannelId} ({Kind}) created")]
    private static partial void LogChannelCreated(ILogger logger, Guid channelId, string kind);
}
