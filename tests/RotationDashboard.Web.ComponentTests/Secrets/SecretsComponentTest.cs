using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Web.Application.Secrets;
using RotationDashboard.Web.ComponentTests.Infrastructure;
using RotationDashboard.Web.Components.Shared;
using RotationDashboard.Web.Hosting;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.ComponentTests.Secrets;

/// <summary>
/// The secrets browser's surroundings: a fake store, the current user and the browser's time zone. The copy button
/// belongs to the shared components (and the clipboard to the browser): stubbed, keeping its test id and value.
/// </summary>
public abstract class SecretsComponentTest : ComponentTestContext
{
    protected SecretsComponentTest()
    {
        Services.AddSingleton<ISecretBrowser>(Store);
        Services.AddScoped<BrowserTimeZone>();
        ComponentFactories.AddStub<CopyButton>(p => $"<button data-testid=\"{p.Get(c => c.TestId)}\" aria-label=\"Copy\">copy</button>");
        // The page keeps its address in step with the selection only once interactive, as in a circuit.
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    protected FakeSecretBrowser Store { get; } = new();

    protected void SignInAdmin() => SignIn("Ada Admin", DashboardRoles.Admin);

    protected void SignInViewer() => SignIn("Vera Viewer", DashboardRoles.Viewer);
}
