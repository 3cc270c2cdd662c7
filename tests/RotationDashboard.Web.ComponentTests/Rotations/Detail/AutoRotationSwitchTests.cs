using MudBlazor;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Rotations.Detail;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.ComponentTests.Rotations.Detail;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class AutoRotationSwitchTests : DetailTestContext
{
    [Fact]
    public void A_viewer_reads_the_state_without_a_switch()
    {
        SignInViewer();

        var view = Render<AutoRotationSwitch>(p => p.Add(x => x.Rotation, DetailData.Rotation(autoRotation: false)).Add(x => x.IsAdmin, false));

        Assert.Equal("Disabled", view.Find("[data-testid=detail-auto-rotation-text]").TextContent);
        Assert.Empty(view.FindAll("[role=switch]"));
    }

    [Fact]
    public void Turning_it_off_saves_hands_back_the_saved_rotation_and_confirms_in_a_snackbar()
    {
        SignInAdmin();
        var rotation = DetailData.Rotation();
        RotationView? saved = null;
        Update.Answer = _ => OperationResult.Success(DetailData.Rotation(autoRotation: false, id: rotation.Id));
        var snackbars = Render<MudSnackbarProvider>();
        var view = Render<AutoRotationSwitch>(p => p.Add(x => x.Rotation, rotation).Add(x => x.IsAdmin, true).Add(x => x.OnSaved, r => saved = r));
        var toggle = view.Find("[data-testid=detail-auto-rotation]");
        var name = view.Find($"#{toggle.GetAttribute("aria-labelledby")}").TextContent;
        Assert.Equal(("switch", "true", "Auto-rotation"), (toggle.GetAttribute("role"), toggle.GetAttribute("aria-checked"), name));

        toggle.Change(false);

        Assert.Equal(false, Assert.Single(Update.Calls).IsAutoRotationEnabled);
        Assert.False(saved!.IsAutoRotationEnabled);
        Assert.Contains("Auto-rotation disabled", snackbars.Markup);
    }

    [Fact]
    public void Single_phase_asks_before_turning_on_and_keeping_it_off_saves_nothing()
    {
        SignInAdmin();
        var rotation = DetailData.Rotation(strategy: RotationStrategy.SinglePhase, autoRotation: false);
        var dialogs = Render<MudDialogProvider>();
        var view = Render<AutoRotationSwitch>(p => p.Add(x => x.Rotation, rotation).Add(x => x.IsAdmin, true));

        view.Find("[data-testid=detail-auto-rotation]").Change(true);
        dialogs.WaitForAssertion(() => Assert.Contains("Auto-rotation may interrupt service", dialogs.Markup));
        dialogs.FindAll("button").Single(b => b.TextContent.Contains("Keep it off")).Click();

        dialogs.WaitForAssertion(() => Assert.DoesNotContain("Auto-rotation may interrupt service", dialogs.Markup));
        Assert.Empty(Update.Calls);
        view.WaitForAssertion(() => Assert.Equal("false", view.Find("[data-testid=detail-auto-rotation]").GetAttribute("aria-checked")));
    }

    [Fact]
    public void A_refused_change_is_an_error_snackbar_and_the_page_reloads()
    {
        SignInAdmin();
        var refused = false;
        Update.Answer = _ => OperationResult<RotationView>.Conflict("The rotation was changed by someone else.");
        var snackbars = Render<MudSnackbarProvider>();
        var view = Render<AutoRotationSwitch>(p => p.Add(x => x.Rotation, DetailData.Rotation()).Add(x => x.IsAdmin, true).Add(x => x.OnRefused, () => refused = true));

        view.Find("[data-testid=detail-auto-rotation]").Change(false);

        Assert.True(refused);
        Assert.Equal("true", view.Find("[data-testid=detail-auto-rotation]").GetAttribute("aria-checked"));
        Assert.Contains("Not saved: The rotation was changed by someone else.", snackbars.Markup);
    }
}
