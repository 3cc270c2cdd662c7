using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using RotationDashboard.Core.Security;
using RotationDashboard.Testing;
using RotationDashboard.Web.ComponentTests.Infrastructure;
using RotationDashboard.Web.Components.Settings;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.ApiTokens;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.ComponentTests.Settings;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class CreateApiTokenDialogTests : ComponentTestContext
{
    private readonly FakeApiTokens _tokens = new();
    private readonly FakeProjects _projects = new();

    public CreateApiTokenDialogTests()
    {
        Services.AddAdminPageServices();
        Services.AddSingleton<IApiTokenAdministration>(_tokens);
        Services.AddSingleton<IProjectDirectory>(_projects);
        SignIn("Ada Admin", DashboardRoles.Admin);
    }

    [Fact]
    public async Task Saving_without_a_name_shows_the_rule_and_typing_a_name_clears_it()
    {
        var (dialogs, _) = await OpenAsync();

        dialogs.Find("[data-testid=token-save]").Click();
        Assert.Equal("Name is required.", dialogs.Find("[data-testid=field-error-name]").TextContent.Trim());
        Assert.Empty(_tokens.Created);

        dialogs.Find("input[data-testid=token-name]").Input("payments-service");
        Assert.Empty(dialogs.FindAll("[data-testid=field-error-name]"));
    }

    [Fact]
    public async Task A_reserved_name_is_refused_as_it_is_typed_before_any_save()
    {
        var (dialogs, _) = await OpenAsync();

        dialogs.Find("input[data-testid=token-name]").Input("scheduler");

        Assert.Contains("is reserved", dialogs.Find("[data-testid=field-error-name]").TextContent);
        Assert.Empty(dialogs.FindAll("[data-testid=field-error-scopes]")); // untouched fields stay quiet
    }

    [Fact]
    public async Task Unticking_every_permission_says_one_is_needed_and_the_limit_appears_only_for_limitable_ones()
    {
        var (dialogs, _) = await OpenAsync();
        Assert.Contains("limited to", dialogs.Markup); // rotations:read is limitable

        dialogs.Find($"[data-testid='token-permission-{ApiPermissions.RotationsRead}']").Change(false);

        Assert.Equal("Choose at least one permission.", dialogs.Find("[data-testid=field-error-scopes]").TextContent.Trim());
        Assert.DoesNotContain("limited to", dialogs.Markup);
    }

    [Fact]
    public async Task The_server_s_answer_on_the_name_shows_under_the_name_until_it_changes()
    {
        var (dialogs, _) = await OpenAsync();
        _tokens.NextCreateResult = RotationDashboard.Core.Common.OperationResult<IssuedApiToken>.Invalid("name", "An active token named \"ci\" already exists.");
        dialogs.Find("input[data-testid=token-name]").Input("ci");

        dialogs.Find("[data-testid=token-save]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("already exists", dialogs.Find("[data-testid=field-error-name]").TextContent));

        dialogs.Find("input[data-testid=token-name]").Input("ci-2");
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=field-error-name]")));
    }

    [Fact]
    public async Task A_created_token_is_shown_once_with_a_copy_button_and_is_gone_after_done()
    {
        var (dialogs, result) = await OpenAsync();
        dialogs.Find("input[data-testid=token-name]").Input("payments-service");

        dialogs.Find("[data-testid=token-save]").Click();

        var value = dialogs.WaitForElement("[data-testid=issued-token]").TextContent.Trim();
        Assert.StartsWith(ApiToken.ValuePrefix, value);
        Assert.Equal("Copy API token", dialogs.Find("[data-testid=copy-token]").GetAttribute("aria-label"));
        Assert.Equal("payments-service", Assert.Single(_tokens.Created).Name);

        dialogs.Find("[data-testid=token-done]").Click();
        Assert.False((await result)!.Canceled);
        Assert.DoesNotContain(value, dialogs.Markup);
    }

    [Fact]
    public async Task Copying_the_token_goes_through_the_clipboard_script_and_confirms_it()
    {
        JSInterop.Setup<bool>("rotationDashboard.copyText", _ => true).SetResult(true);
        Render<MudSnackbarProvider>();
        var (dialogs, _) = await OpenAsync();
        dialogs.Find("input[data-testid=token-name]").Input("payments-service");
        dialogs.Find("[data-testid=token-save]").Click();
        var value = dialogs.WaitForElement("[data-testid=issued-token]").TextContent.Trim();

        dialogs.Find("[data-testid=copy-token]").Click();

        var copy = Assert.Single(JSInterop.Invocations, i => i.Identifier == "rotationDashboard.copyText");
        Assert.Equal(value, copy.Arguments[0]);
    }

    private async Task<(IRenderedComponent<MudDialogProvider> Dialogs, Task<DialogResult?> Result)> OpenAsync()
    {
        var dialogs = Render<MudDialogProvider>();
        var service = Services.GetRequiredService<IDialogService>();
        IDialogReference? reference = null;
        await dialogs.InvokeAsync(async () => reference = await service.ShowAsync<CreateApiTokenDialog>("Create API token", AdminDialogs.Form));
        dialogs.WaitForElement("[data-testid=token-save]");
        return (dialogs, reference!.Result);
    }
}
