namespace RotationDashboard.Web.Notifications;

/// <summary>The latest delivered notification about a rotation (implemented by <see cref="NotificationCenter"/>), for the line on its page.</summary>
public interface ILatestRotationDelivery
{
    Task<DeliveryView?> LatestForRotationAsync(Guid rotationId, CancellationToken cancellationToken = default);
}
