using RotationDashboard.Core.Common;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.Notifications;

/// <summary>What the Notifications page does; the narrow seam lets component tests render its parts with a fake.</summary>
public interface INotificationAdministration
{
    int MaxAttempts { get; }

    Task<IReadOnlyList<ChannelView>> ListChannelsAsync(CancellationToken cancellationToken = default);

    Task<OperationResult<ChannelView>> CreateChannelAsync(ChannelInput input, DashboardUser user, CancellationToken cancellationToken = default);

    Task<string?> RevealWebhookSecretAsync(Guid channelId, DashboardUser user, CancellationToken cancellationToken = default);

    Task<bool> DeleteChannelAsync(Guid channelId, DashboardUser user, CancellationToken cancellationToken = default);

    Task<OperationResult<SubscriptionView>> SubscribeAsync(
        Guid channelId, string eventType, Guid? projectId, string? environment, Guid? rotationId, DashboardUser user,
        CancellationToken cancellationToken = default);

    Task UnsubscribeAsync(Guid subscriptionId, DashboardUser user, CancellationToken cancellationToken = default);

    Task<DeliveryAttempt?> SendTestAsync(Guid channelId, DashboardUser user, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<DeliveryView>> ListDeliveriesAsync(int take = 100, Guid? rotationId = null, CancellationToken cancellationToken = default);

    Task<bool> RetryAsync(Guid deliveryId, DashboardUser user, CancellationToken cancellationToken = default);
}
