using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Rotations.Pages;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.ComponentTests.Rotations.Wizard;

/// <summary>The editor page hosts the wizard for admins only: routed as the app routes it, a viewer gets no wizard.</summary>
[Trait(TestKind.Trait, TestKind.Component)]
public sealed class RotationEditorAccessTests : WizardTestContext
{
    [Fact]
    public void A_viewer_cannot_reach_the_wizard()
    {
        SignIn("Vera Viewer", DashboardRoles.Viewer);
        Backend.Connections.Add(FakeWizardBackend.Connection("sandbox"));

        var page = RenderRouted();

        Assert.Empty(page.FindAll("[data-testid=rotation-wizard]"));
        Assert.NotNull(page.Find("[data-testid=not-authorized]"));
    }

    [Fact]
    public void An_admin_gets_the_wizard_on_its_first_step()
    {
        Authorization.SetPolicies(DashboardPolicies.Admin);
        Backend.Connections.Add(FakeWizardBackend.Connection("sandbox"));

        var page = RenderRouted();

        Assert.NotNull(page.Find("[data-testid=rotation-wizard]"));
        Assert.NotNull(page.Find("[data-testid=wizard-step-0]"));
        Assert.Equal("Create rotation", page.Find("h1").TextContent);
    }

    private IRenderedComponent<AuthorizeRouteView> RenderRouted() =>
        Render<AuthorizeRouteView>(p => p
            .Add(x => x.RouteData, new RouteData(typeof(RotationEditor), new Dictionary<string, object?>()))
            .Add(x => x.NotAuthorized, _ => builder => builder.AddMarkupContent(0, "<p data-testid=\"not-authorized\">Not allowed</p>")));
}
