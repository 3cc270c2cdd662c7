using RotationDashboard.Core.Common;
using RotationDashboard.Core.Notifications;
using RotationDashboard.Web.Application.Notifications;
using RotationDashboard.Web.Notifications;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.ComponentTests.Notifications;

/// <summary>In-memory channels, subscriptions and deliveries, recording what the page asked for.</summary>
internal sealed class FakeNotifications : INotificationAdministration
{
    public List<ChannelView> Channels { get; } = [];

    public List<DeliveryView> Deliveries { get; set; } = [];

    public List<string> Calls { get; } = [];

    public OperationResult<ChannelView>? NextCreateResult { get; set; }

    public Exception? DeliveriesFailure { get; set; }

    public int MaxAttempts => 5;

    public Task<IReadOnlyList<ChannelView>> ListChannelsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ChannelView>>(Channels.ToList());

    public Task<OperationResult<ChannelView>> CreateChannelAsync(ChannelInput input, DashboardUser user, CancellationToken cancellationToken = default)
    {
        Calls.Add($"create {input.Kind} {input.Name}");
        if (NextCreateResult is { } result) return Task.FromResult(result);
        var channel = Channel(input.Name, input.Kind);
        Channels.Add(channel);
        return Task.FromResult(OperationResult.Success(channel));
    }

    public Task<string?> RevealWebhookSecretAsync(Guid channelId, DashboardUser user, CancellationToken cancellationToken = default)
    {
        Calls.Add("reveal");
        return Task.FromResult<string?>("whsec-test-value");
    }

    public Task<bool> DeleteChannelAsync(Guid channelId, DashboardUser user, CancellationToken cancellationToken = default)
    {
        Calls.Add($"delete {channelId}");
        Channels.RemoveAll(c => c.Id == channelId);
        return Task.FromResult(true);
    }

    public Task<OperationResult<SubscriptionView>> SubscribeAsync(
        Guid channelId, string eventType, Guid? projectId, string? environment, Guid? rotationId, DashboardUser user,
        CancellationToken cancellationToken = default)
    {
        Calls.Add($"subscribe {eventType} {projectId} {environment} {rotationId}");
        var subscription = new SubscriptionView(Guid.NewGuid(), eventType, projectId, environment, rotationId);
        var index = Channels.FindIndex(c => c.Id == channelId);
        Channels[index] = Channels[index] with { Subscriptions = [.. Channels[index].Subscriptions, subscription] };
        return Task.FromResult(OperationResult.Success(subscription));
    }

    public Task UnsubscribeAsync(Guid subscriptionId, DashboardUser user, CancellationToken cancellationToken = default)
    {
        Calls.Add($"unsubscribe {subscriptionId}");
        return Task.CompletedTask;
    }

    public Task<DeliveryAttempt?> SendTestAsync(Guid channelId, DashboardUser user, CancellationToken cancellationToken = default)
    {
        Calls.Add("test");
        return Task.FromResult<DeliveryAttempt?>(new DeliveryAttempt(true, 200, null, TimeSpan.FromMilliseconds(12)));
    }

    public Task<IReadOnlyList<DeliveryView>> ListDeliveriesAsync(int take = 100, Guid? rotationId = null, CancellationToken cancellationToken = default) =>
        DeliveriesFailure is not null ? Task.FromException<IReadOnlyList<DeliveryView>>(DeliveriesFailure)
            : Task.FromResult<IReadOnlyList<DeliveryView>>(Deliveries.ToList());

    public Task<bool> RetryAsync(Guid deliveryId, DashboardUser user, CancellationToken cancellationToken = default)
    {
        Calls.Add($"retry {deliveryId}");
        return Task.FromResult(true);
    }

    public static ChannelView Channel(string name, string kind = ChannelKinds.Webhook, params SubscriptionView[] subscriptions) =>
        new(Guid.NewGuid(), name, kind, "example.com", true, subscriptions);

    public static DeliveryView Delivery(string channel, string status, int attempts = 1) =>
        new(Guid.NewGuid(), NotificationEventTypes.RunFailed, "Rotation invoice-sender failed", null, channel, ChannelKinds.Webhook, status, attempts,
            status == DeliveryStatuses.Delivered ? 200 : 500, 12, status == DeliveryStatuses.Failed ? "HTTP 500" : null, DateTimeOffset.UtcNow,
            DateTimeOffset.UtcNow, null);
}

internal sealed class FakeFindRotations : IFindRotations
{
    public List<(Guid ProjectId, RotationChoice Rotation)> Rotations { get; } = [];

    public List<(Guid ProjectId, string? Text)> Searches { get; } = [];

    public RotationChoice Add(Guid projectId, string name, string environment = "prod")
    {
        var rotation = new RotationChoice(Guid.NewGuid(), name, environment);
        Rotations.Add((projectId, rotation));
        return rotation;
    }

    public Task<IReadOnlyList<RotationChoice>> SearchAsync(Guid projectId, string? text, int take, CancellationToken cancellationToken = default)
    {
        Searches.Add((projectId, text));
        return Task.FromResult<IReadOnlyList<RotationChoice>>(Rotations
            .Where(r => r.ProjectId == projectId && (text is null || r.Rotation.Name.Contains(text, StringComparison.OrdinalIgnoreCase)))
            .Select(r => r.Rotation).Take(take).ToList());
    }

    public Task<IReadOnlyList<RotationChoice>> GetAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<RotationChoice>>(Rotations.Select(r => r.Rotation).Where(r => ids.Contains(r.Id)).ToList());
}
