using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Web.Application.Notifications;
using RotationDashboard.Web.ComponentTests.Infrastructure;
using RotationDashboard.Web.ComponentTests.Settings;
using RotationDashboard.Web.Notifications;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.ComponentTests.Notifications;

/// <summary>The Notifications page's parts over in-memory fakes, with a signed-in user of either role.</summary>
public abstract class NotificationsTestContext : ComponentTestContext
{
    internal FakeNotifications Notifications { get; } = new();

    internal FakeFindRotations Rotations { get; } = new();

    internal FakeProjects Projects { get; } = new();

    protected NotificationsTestContext()
    {
        Services.AddAdminPageServices();
        Services.AddSingleton<INotificationAdministration>(Notifications);
        Services.AddSingleton<IFindRotations>(Rotations);
        Services.AddSingleton<IProjectDirectory>(Projects);
    }

    protected DashboardUser SignInAs(string role)
    {
        SignIn(role == DashboardRoles.Admin ? "Ada Admin" : "Vera Viewer", role);
        var principal = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [
                new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Name, "Ada"),
                new System.Security.Claims.Claim(DashboardRoles.ClaimType, role),
            ], "test"));
        return DashboardUser.FromPrincipal(principal);
    }
}
