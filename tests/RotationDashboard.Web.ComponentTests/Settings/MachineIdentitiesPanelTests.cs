using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using RotationDashboard.Core.Security;
using RotationDashboard.Testing;
using RotationDashboard.Web.ComponentTests.Infrastructure;
using RotationDashboard.Web.Components.Settings;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.MachineIdentities;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.ComponentTests.Settings;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class MachineIdentitiesPanelTests : ComponentTestContext
{
    private readonly FakeMachineIdentities _identities = new();

    public MachineIdentitiesPanelTests()
    {
        Services.AddAdminPageServices();
        Services.AddSingleton<IMachineIdentityAdministration>(_identities);
        Services.AddSingleton<IProjectDirectory>(new FakeProjects());
        SignIn("Ada Admin", DashboardRoles.Admin);
    }

    [Fact]
    public void Without_identities_the_panel_says_what_one_is_for()
    {
        var panel = Render<MachineIdentitiesPanel>();

        Assert.Contains("No machine identities yet", panel.Find("[data-testid=identities-empty]").TextContent);
        Assert.Empty(panel.FindAll("[data-testid=identities-grid]"));
    }

    [Fact]
    public void Identities_list_their_client_id_ttls_and_active_client_secrets_with_labelled_icon_buttons()
    {
        _identities.Identities.Add(FakeMachineIdentities.View("payments", "rdcs_aaaaaaaa"));

        var panel = Render<MachineIdentitiesPanel>();

        var grid = panel.Find("[data-testid=identities-grid]");
        Assert.Contains("client-payments", grid.TextContent);
        Assert.Contains("2h / 30d", grid.TextContent);
        Assert.Equal("Revoke client secret rdcs_aaaaaaaa", panel.Find("[data-testid=revoke-secret-rdcs_aaaaaaaa]").GetAttribute("aria-label"));
        Assert.Equal("Copy the client id of payments", panel.Find("[data-testid=copy-client-id-payments]").GetAttribute("aria-label"));
    }

    [Fact]
    public void Revoking_a_client_secret_asks_first_then_revokes_that_secret()
    {
        var identity = FakeMachineIdentities.View("payments", "rdcs_aaaaaaaa");
        _identities.Identities.Add(identity);
        var dialogs = Render<MudDialogProvider>();
        var panel = Render<MachineIdentitiesPanel>();

        panel.Find("[data-testid=revoke-secret-rdcs_aaaaaaaa]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Its access tokens stop working at once.", dialogs.Markup));
        Assert.Empty(_identities.Calls);
        dialogs.Button("Revoke").Click();

        panel.WaitForAssertion(() => Assert.Equal($"revoke secret {identity.ClientSecrets[0].Id}", Assert.Single(_identities.Calls)));
    }

    [Fact]
    public void A_new_client_secret_is_shown_once_with_the_client_id_and_copy_buttons()
    {
        _identities.Identities.Add(FakeMachineIdentities.View("payments"));
        var dialogs = Render<MudDialogProvider>();
        var panel = Render<MachineIdentitiesPanel>();

        panel.Find("[data-testid=new-secret-payments]").Click();

        dialogs.WaitForAssertion(() => Assert.StartsWith(MachineIdentityClientSecret.ValuePrefix,
            dialogs.Find("[data-testid=issued-client-secret]").TextContent.Trim()));
        var secret = dialogs.Find("[data-testid=issued-client-secret]").TextContent.Trim();
        Assert.Equal("client-payments", dialogs.Find("[data-testid=issued-client-id]").TextContent.Trim());
        Assert.NotNull(dialogs.Find("[data-testid=copy-client-secret]"));
        Assert.DoesNotContain(secret, panel.Markup);

        dialogs.Find("[data-testid=client-secret-done]").Click();
        dialogs.WaitForAssertion(() => Assert.DoesNotContain(secret, dialogs.Markup));
    }

    [Fact]
    public void Creating_an_identity_checks_the_ttls_as_they_are_typed_then_shows_its_first_secret_once()
    {
        var dialogs = Render<MudDialogProvider>();
        var panel = Render<MachineIdentitiesPanel>();
        panel.Find("[data-testid=create-identity]").Click();
        dialogs.WaitForElement("[data-testid=identity-save]");

        dialogs.Find("input[data-testid=identity-max-ttl]").Input("60");
        dialogs.WaitForAssertion(() => Assert.NotEmpty(dialogs.FindAll("[data-testid=field-error-accessTokenMaxTTL]")));
        dialogs.Find("input[data-testid=identity-max-ttl]").Input("86400");
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=field-error-accessTokenMaxTTL]")));

        dialogs.Find("input[data-testid=identity-name]").Input("billing");
        dialogs.Find("[data-testid=identity-save]").Click();

        dialogs.WaitForAssertion(() => Assert.Equal("client-billing", dialogs.Find("[data-testid=issued-client-id]").TextContent.Trim()));
        Assert.Equal("create billing", _identities.Calls[0]);
        panel.WaitForAssertion(() => Assert.NotNull(panel.Find("[data-testid=identity-row-billing]")));
    }
}
