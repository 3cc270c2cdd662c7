using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using RotationDashboard.Testing;
using RotationDashboard.Web.ComponentTests.Infrastructure;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Security.Sessions;
using RotationDashboard.Web.Services.ApiTokens;
using RotationDashboard.Web.Services.MachineIdentities;
using RotationDashboard.Web.Services.Secrets;
using SettingsPage = RotationDashboard.Web.Components.Settings.Pages.Settings;

namespace RotationDashboard.Web.ComponentTests.Settings;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class SettingsPageTests : ComponentTestContext
{
    private readonly FakeApiTokens _tokens = new();
    private readonly FakeMachineIdentities _identities = new();
    private readonly FakeSessions _sessions = new();

    public SettingsPageTests()
    {
        Services.AddAdminPageServices();
        Services.AddSingleton<IApiTokenAdministration>(_tokens);
        Services.AddSingleton<IMachineIdentityAdministration>(_identities);
        Services.AddSingleton<ISessionAdministration>(_sessions);
        Services.AddSingleton<IProjectDirectory>(new FakeProjects());
    }

    [Fact]
    public void A_viewer_is_told_only_an_admin_manages_tokens_and_sees_no_token_identity_or_session()
    {
        SignIn("Vera Viewer", DashboardRoles.Viewer);
        _tokens.Tokens.Add(FakeApiTokens.View("ci"));

        var page = Render<SettingsPage>();

        Assert.Contains("Only an Admin can manage API tokens.", page.Find("[data-testid=settings-viewer]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=create-token]"));
        Assert.Empty(page.FindAll("[data-testid=tokens-grid]"));
        Assert.Empty(page.FindAll("[data-testid=create-identity]"));
        Assert.DoesNotContain("Signed-in sessions", page.Markup);
    }

    [Fact]
    public void An_admin_without_tokens_sees_the_empty_state_after_the_loading_bar()
    {
        SignIn("Ada Admin", DashboardRoles.Admin);
        _tokens.Gate = new TaskCompletionSource();

        var page = Render<SettingsPage>();
        Assert.NotNull(page.Find("[aria-label='Loading API tokens']"));

        _tokens.Gate.SetResult();
        page.WaitForAssertion(() => Assert.Contains("No API tokens yet", page.Find("[data-testid=empty-state]").TextContent));
        Assert.Empty(page.FindAll("[aria-label='Loading API tokens']"));
    }

    [Fact]
    public void A_token_list_that_cannot_be_read_shows_an_error_instead_of_an_empty_list()
    {
        SignIn("Ada Admin", DashboardRoles.Admin);
        _tokens.ListFailure = new InvalidOperationException("database is locked");

        var page = Render<SettingsPage>();

        Assert.Contains("Could not load the API tokens", page.Find("[data-testid=tokens-error]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=empty-state]"));
    }

    [Fact]
    public void Revoking_a_token_asks_first_and_keeping_it_changes_nothing()
    {
        SignIn("Ada Admin", DashboardRoles.Admin);
        _tokens.Tokens.Add(FakeApiTokens.View("ci"));
        var dialogs = Render<MudDialogProvider>();
        var page = Render<SettingsPage>();

        page.Find("[data-testid=revoke-ci]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Anything using it stops working at once.", dialogs.Markup));
        dialogs.Button("Keep it").Click();

        dialogs.WaitForAssertion(() => Assert.DoesNotContain("stops working", dialogs.Markup));
        Assert.Null(_tokens.Tokens.Single().RevokedAt);
        Assert.Contains("active", page.Find("[data-testid=tokens-grid]").TextContent);
    }

    [Fact]
    public void Confirming_the_revocation_revokes_the_token_and_the_list_says_so()
    {
        SignIn("Ada Admin", DashboardRoles.Admin);
        _tokens.Tokens.Add(FakeApiTokens.View("ci"));
        var dialogs = Render<MudDialogProvider>();
        var page = Render<SettingsPage>();

        page.Find("[data-testid=revoke-ci]").Click();
        dialogs.WaitForAssertion(() => dialogs.Button("Revoke").Click());

        page.WaitForAssertion(() => Assert.Contains("revoked", page.Find("[data-testid=tokens-grid]").TextContent));
        Assert.NotNull(_tokens.Tokens.Single().RevokedAt);
        Assert.Empty(page.FindAll("[data-testid=revoke-ci]"));
    }
}
