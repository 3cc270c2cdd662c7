using MudBlazor;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Rotations;
using RotationDashboard.Web.Components.Rotations.Detail;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.ComponentTests.Rotations.Detail;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class DetailDialogTests : DetailTestContext
{
    [Fact]
    public async Task Rotate_now_explains_a_single_phase_run_and_closes_with_yes_or_cancel()
    {
        var rotation = DetailData.Rotation(strategy: RotationStrategy.SinglePhase);
        var provider = Render<MudDialogProvider>();

        var confirmed = await ShowAsync<RotateNowDialog>(provider, rotation, "[data-testid=rotate-now-confirm]");
        var cancelled = await ShowAsync<RotateNowDialog>(provider, rotation, "[data-testid=rotate-now-cancel]");

        Assert.Equal((false, (object?)true), (confirmed.Canceled, confirmed.Data));
        Assert.True(cancelled.Canceled);
    }

    [Fact]
    public void Rotate_now_says_what_the_strategy_does()
    {
        var provider = Render<MudDialogProvider>();
        var rotation = DetailData.Rotation(strategy: RotationStrategy.SinglePhase);
        _ = InvokeShow<RotateNowDialog>(rotation);

        var effect = provider.WaitForElement("[data-testid=rotate-now-effect]").TextContent;
        Assert.Equal(RotationText.RotateNowEffect(rotation.Strategy, rotation.StagedLeadTime, rotation.RetireGracePeriod), effect);
        Assert.Contains("The next scheduled rotation moves to 30 days after this one.", provider.Markup);
    }

    [Fact]
    public async Task Delete_stays_disabled_until_the_exact_name_is_typed_and_keeps_credentials_and_secrets_by_default()
    {
        SignInAdmin();
        var rotation = DetailData.Rotation();
        Delete.Answer = () => OperationResult.Success(rotation);
        var provider = Render<MudDialogProvider>();
        var shown = InvokeShow<DeleteRotationDialog>(rotation);
        var dialog = provider.WaitForElement("[data-testid=delete-rotation-dialog]");

        Assert.Equal("false", provider.Find("[data-testid=delete-revoke]").GetAttribute("aria-checked"));
        Assert.Equal("false", provider.Find("[data-testid=delete-secrets]").GetAttribute("aria-checked"));
        Assert.Contains("will not be revoked and remain active in Auth0", provider.Markup);
        Assert.True(provider.Find("[data-testid=delete-confirm]").HasAttribute("disabled"));
        provider.Find("[data-testid=delete-confirm-name]").Input("orders-ap");
        Assert.True(provider.Find("[data-testid=delete-confirm]").HasAttribute("disabled"));
        provider.Find("[data-testid=delete-confirm-name]").Input("orders-api");
        Assert.False(provider.Find("[data-testid=delete-confirm]").HasAttribute("disabled"));
        Assert.NotNull(dialog);

        provider.Find("[data-testid=delete-confirm]").Click();

        var result = await (await shown).Result;
        Assert.False(result!.Canceled);
        Assert.Equal((rotation.Id, false, false), Assert.Single(Delete.Calls));
    }

    [Fact]
    public void A_delete_that_fails_keeps_the_dialog_open_with_the_reason()
    {
        SignInAdmin();
        var rotation = DetailData.Rotation();
        Delete.Answer = () => OperationResult<RotationView>.Upstream("Auth0 refused to revoke the credential.");
        var provider = Render<MudDialogProvider>();
        _ = InvokeShow<DeleteRotationDialog>(rotation);
        provider.WaitForElement("[data-testid=delete-rotation-dialog]");
        provider.Find("[data-testid=delete-secrets]").Change(true);
        Assert.Contains("will be removed from prod:/", provider.Markup);

        provider.Find("[data-testid=delete-confirm-name]").Input("orders-api");
        provider.Find("[data-testid=delete-confirm]").Click();

        Assert.Equal("Auth0 refused to revoke the credential.", provider.WaitForElement("[data-testid=delete-error]").TextContent);
        Assert.NotNull(provider.Find("[data-testid=delete-rotation-dialog]"));
        Assert.Equal((rotation.Id, false, true), Assert.Single(Delete.Calls));
    }

    private Task<IDialogReference> InvokeShow<TDialog>(RotationView rotation)
        where TDialog : Microsoft.AspNetCore.Components.IComponent
    {
        var service = Services.GetService(typeof(IDialogService)) as IDialogService;
        var parameters = new DialogParameters { ["Rotation"] = rotation };
        return Renderer.Dispatcher.InvokeAsync(() => service!.ShowAsync<TDialog>("Title", parameters));
    }

    private async Task<DialogResult> ShowAsync<TDialog>(IRenderedComponent<MudDialogProvider> provider, RotationView rotation, string button)
        where TDialog : Microsoft.AspNetCore.Components.IComponent
    {
        var reference = await InvokeShow<TDialog>(rotation);
        provider.WaitForElement(button).Click();
        return (await reference.Result)!;
    }
}
