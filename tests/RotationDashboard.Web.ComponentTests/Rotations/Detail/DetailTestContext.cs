using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Web.Application.Rotations;
using RotationDashboard.Web.ComponentTests.Infrastructure;
using RotationDashboard.Web.Components.Shared;
using RotationDashboard.Web.Hosting;
using RotationDashboard.Web.Notifications;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.ComponentTests.Rotations.Detail;

/// <summary>
/// What the rotation detail components need: fakes of the use cases they call, the real in-process run notifier (tests
/// publish engine events on it), the browser time zone (UTC) and the current user from bUnit's authorization double.
/// </summary>
public abstract class DetailTestContext : ComponentTestContext
{
    protected DetailTestContext()
    {
        Services.AddSingleton(Reads);
        Services.AddSingleton<IRotationDetailReads>(Reads);
        Services.AddSingleton<IRotateNow>(RotateNow);
        Services.AddSingleton<IRevealCredentials>(Reveal);
        Services.AddSingleton<IDeleteRotation>(Delete);
        Services.AddSingleton<IUpdateRotation>(Update);
        Services.AddSingleton<IRotationRunDurations>(Durations);
        Services.AddSingleton<ILatestRotationDelivery>(Deliveries);
        Services.AddSingleton<IRotationRunNotifier>(Notifier);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<BrowserTimeZone>();
        Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        // The copy button is another feature's component, with its own tests: not what these tests look at.
        ComponentFactories.AddStub<CopyButton>();
        // Prerendered by default, as the first request is; RenderInteractively switches to the live circuit.
        SetRendererInfo(new RendererInfo("Static", isInteractive: false));
    }

    protected FakeRotationReads Reads { get; } = new();

    protected FakeRotateNow RotateNow { get; } = new();

    protected FakeRevealCredentials Reveal { get; } = new();

    protected FakeDeleteRotation Delete { get; } = new();

    protected FakeUpdateRotation Update { get; } = new();

    protected FakeRunDurations Durations { get; } = new();

    protected FakeLatestDelivery Deliveries { get; } = new();

    protected RotationRunNotifier Notifier { get; } = new(NullLogger<RotationRunNotifier>.Instance);

    protected void SignInAdmin() => SignIn("ada@example.com", DashboardRoles.Admin);

    protected void SignInViewer() => SignIn("vera@example.com", DashboardRoles.Viewer);

    /// <summary>As in the running app: the page subscribes to live events only when it renders interactively.</summary>
    protected void RenderInteractively() => SetRendererInfo(new RendererInfo("Server", isInteractive: true));
}
