namespace RotationDashboard.Web.Security.Sessions;

/// <summary>What the Settings page does with sessions; the narrow seam lets component tests use a fake.</summary>
public interface ISessionAdministration
{
    Task<IReadOnlyList<UserSessionView>> ListActiveAsync(CancellationToken cancellationToken = default);

    Task<bool> RevokeAsync(string sessionId, DashboardUser by, CancellationToken cancellationToken = default);
}
