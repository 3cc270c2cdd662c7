using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace RotationDashboard.Web.ComponentTests.Infrastructure;

/// <summary>
/// A bUnit context with what every dashboard component expects around it: MudBlazor's services (JS calls answered
/// loosely, as there is no browser), and a signed-in user set per test through <see cref="SignIn"/>.
/// </summary>
public abstract class ComponentTestContext : BunitContext
{
    protected ComponentTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Authorization = AddAuthorization();
        // Components ask who the user is through this, over bUnit's authentication state.
        Services.AddScoped<RotationDashboard.Web.Security.CurrentUserAccessor>();
    }

    protected BunitAuthorizationContext Authorization { get; }

    /// <summary>Signs in a user with a dashboard role (the claim the app's policies read).</summary>
    protected void SignIn(string name, string role)
    {
        Authorization.SetAuthorized(name);
        Authorization.SetClaims(
            new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Name, name),
            new System.Security.Claims.Claim(RotationDashboard.Web.Security.DashboardRoles.ClaimType, role));
    }

    /// <summary>Renders the popover provider that menus, selects and tooltips render their content into.</summary>
    protected IRenderedComponent<MudPopoverProvider> RenderPopoverProvider() => Render<MudPopoverProvider>();

    /// <summary>
    /// xunit 2 disposes test classes synchronously, but MudBlazor registers services that only dispose asynchronously.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
            return;
        }

        base.Dispose(disposing);
    }
}
