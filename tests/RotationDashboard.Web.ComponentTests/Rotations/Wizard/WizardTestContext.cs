using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Web.Application.Connections;
using RotationDashboard.Web.Application.Rotations;
using RotationDashboard.Web.ComponentTests.Infrastructure;
using RotationDashboard.Web.Hosting;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.ComponentTests.Rotations.Wizard;

/// <summary>
/// The wizard over fakes of its two seams, an admin signed in, and a browser in Asia/Kolkata (UTC+5:30, no daylight
/// saving time), so local times and their UTC equivalents are fixed.
/// </summary>
public abstract class WizardTestContext : ComponentTestContext
{
    internal FakeWizardBackend Backend { get; } = new();

    internal FakeApplications Applications { get; } = new();

    protected WizardTestContext()
    {
        Services.AddSingleton<IRotationWizardBackend>(Backend);
        Services.AddSingleton<IListApplications>(Applications);
        Services.AddSingleton<IRotationRunNotifier, SilentNotifier>();
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        Services.AddScoped<BrowserTimeZone>();
        JSInterop.Setup<string?>("rotationDashboard.timeZone").SetResult("Asia/Kolkata");
        SignIn("Ada Admin", DashboardRoles.Admin);
        // As in the app once the circuit is up (the connection step tests an untested connection only then).
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    /// <summary>Reads the browser's zone as the app does once the circuit is up.</summary>
    protected async Task UseBrowserTimeZoneAsync() =>
        await Services.GetRequiredService<BrowserTimeZone>().InitializeAsync(JSInterop.JSRuntime);

    internal static ApplicationSummary App(string name, string clientId, string authMethod = "client_secret_post", string appType = "non_interactive") =>
        new(clientId, name, appType, authMethod, null);
}
