using MudBlazor;
using RotationDashboard.Core.Common;
using RotationDashboard.Testing;
using ConnectionsPage = RotationDashboard.Web.Components.Connections.Pages.Connections;

namespace RotationDashboard.Web.ComponentTests.Connections;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class ConnectionsPageTests : ConnectionComponentTest
{
    [Fact]
    public async Task Shows_a_loading_state_until_the_list_arrives_then_the_connections_by_name()
    {
        SignInAdmin();
        Fake.Connections.Add(FakeConnectionUseCases.View("production-tenant", lastOk: true));
        Fake.ListGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RenderPopoverProvider();

        var page = Render<ConnectionsPage>();

        Assert.NotNull(page.Find("[data-testid=connections-loading]"));
        Assert.Empty(page.FindAll("[data-testid=connection-name]"));

        Fake.ListGate.SetResult();

        // The table's first render happens here, not in Render: on a busy two-core machine it can outlast bUnit's default second.
        await page.WaitForAssertionAsync(() => Assert.Equal("production-tenant", page.Find("[data-testid=connection-name]").TextContent),
            TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll("[data-testid=connections-loading]"));
        Assert.Equal("Connected", page.Find("[data-testid=connection-status-badge]").TextContent.Trim());
    }

    [Fact]
    public void An_admin_without_connections_is_offered_to_connect_a_tenant_and_a_viewer_is_told_who_can()
    {
        SignInAdmin();
        var admin = Render<ConnectionsPage>();
        Assert.Contains("No connections yet", admin.Find("[data-testid=empty-state]").TextContent);
        Assert.Contains(admin.FindAll("a"), a => a.TextContent.Trim() == "Connect an Auth0 tenant" && a.GetAttribute("href") == "connections/new");

        SignInViewer();
        var viewer = Render<ConnectionsPage>();
        Assert.Contains("Only an Admin can add connections.", viewer.Find("[data-testid=empty-state]").TextContent);
        Assert.DoesNotContain("Connect an Auth0 tenant", viewer.Markup);
    }

    [Fact]
    public void A_list_that_fails_to_load_says_so_and_loads_again_on_retry()
    {
        SignInAdmin();
        Fake.Connections.Add(FakeConnectionUseCases.View("production-tenant"));
        Fake.ListGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Fake.ListGate.SetException(new InvalidOperationException("database locked"));
        RenderPopoverProvider();

        var page = Render<ConnectionsPage>();

        var error = page.WaitForElement("[data-testid=connections-error]");
        Assert.Equal("alert", error.GetAttribute("role"));
        Assert.DoesNotContain("database locked", page.Markup); // details go to the log, not the page

        Fake.ListGate = null;
        error.QuerySelectorAll("button").Single(b => b.TextContent.Trim() == "Try again").Click();

        page.WaitForAssertion(() => Assert.Equal("production-tenant", page.Find("[data-testid=connection-name]").TextContent));
    }

    [Fact]
    public void A_viewer_sees_status_and_applications_but_no_write_controls()
    {
        SignInViewer();
        Fake.Connections.Add(FakeConnectionUseCases.View("production-tenant", lastOk: false, message: "Auth0 rejected the client ID or secret (401)."));
        RenderPopoverProvider();

        var page = Render<ConnectionsPage>();

        page.WaitForAssertion(() => Assert.Equal("Failed", page.Find("[data-testid=connection-status-badge]").TextContent.Trim()));
        Assert.Contains("Auth0 rejected the client ID or secret", page.Find("[data-testid=connection-status]").TextContent);
        Assert.NotNull(page.Find("[data-testid=show-applications]"));
        foreach (var control in new[] { "new-connection", "edit-connection", "delete-connection", "test-connection-row", "bulk-rotate-connection", "onboard-connection" })
        {
            Assert.Empty(page.FindAll($"[data-testid={control}]"));
        }
    }

    [Fact]
    public void An_admin_reaches_bulk_rotation_and_onboarding_of_a_connection_from_its_row()
    {
        SignInAdmin();
        var connection = FakeConnectionUseCases.View("production-tenant");
        Fake.Connections.Add(connection);
        RenderPopoverProvider();

        var page = Render<ConnectionsPage>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=onboard-connection]")));
        Assert.Equal($"connections/{connection.Id}/onboard", page.Find("[data-testid=onboard-connection]").GetAttribute("href"));
        var bulk = page.Find("[data-testid=bulk-rotate-connection]");
        Assert.Equal($"Rotate every rotation of {connection.Name} now", bulk.GetAttribute("aria-label"));
    }

    [Fact]
    public void Testing_a_connection_shows_the_verdict_and_the_refreshed_status()
    {
        SignInAdmin();
        var connection = FakeConnectionUseCases.View("production-tenant");
        Fake.Connections.Add(connection);
        Fake.Validate = id =>
        {
            // What the real use case records: the connection now has a verdict with missing scopes.
            Fake.Connections[0] = connection with { LastValidatedAt = DateTimeOffset.UtcNow, LastValidationOk = true, MissingScopes = FakeConnectionUseCases.JwtScopesMissing };
            return OperationResult.Success(FakeConnectionUseCases.Result(ok: true, "Connected. 2 scopes missing.", FakeConnectionUseCases.JwtScopesMissing));
        };
        RenderPopoverProvider();
        var page = Render<ConnectionsPage>();
        page.WaitForAssertion(() => Assert.Equal("Not tested", page.Find("[data-testid=connection-status-badge]").TextContent.Trim()));

        page.Find("[data-testid=test-connection-row]").Click();

        page.WaitForAssertion(() => Assert.Equal("production-tenant: Connected. 2 scopes missing.", page.Find("[data-testid=page-message]").TextContent));
        Assert.Equal("Missing scopes", page.Find("[data-testid=connection-status-badge]").TextContent.Trim());
        Assert.Contains("Private Key JWT: 2 scopes missing", page.Find("[data-testid=missing-scopes]").TextContent);
        Assert.Contains($"validate {connection.Id}", Fake.Calls);
        Assert.True(Fake.LastUser!.IsAdmin);
    }

    [Fact]
    public void Delete_asks_first_and_cancel_deletes_nothing()
    {
        var (page, dialogs, dialog) = AskToDelete(FakeConnectionUseCases.View("staging-tenant"));

        Assert.Contains("Delete the connection \"staging-tenant\"?", dialog.TextContent);
        Assert.Contains("The Auth0 application itself is not changed.", dialog.TextContent);
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=delete-connection-dialog]")));
        Assert.DoesNotContain(Fake.Calls, c => c.StartsWith("delete", StringComparison.Ordinal));
        Assert.Single(page.FindAll("[data-testid=connection-name]"));
    }

    [Fact]
    public void Deleting_an_unused_connection_removes_its_row_and_says_so()
    {
        var (page, dialogs, _) = AskToDelete(FakeConnectionUseCases.View("staging-tenant"));

        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click();

        page.WaitForAssertion(() => Assert.Equal("Connection \"staging-tenant\" was deleted.", page.Find("[data-testid=page-message]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=connection-name]"));
        Assert.Contains("No connections yet", page.Markup);
    }

    [Fact]
    public void A_connection_in_use_is_flagged_in_the_dialog_and_the_refusal_is_shown_as_not_deleted()
    {
        const string refusal = "Connection \"production-tenant\" is used by 2 rotations (orders, payments). Delete those rotations first.";
        Fake.Delete = _ => OperationResult<Web.Services.Connections.ConnectionView>.Conflict(refusal);

        var (page, dialogs, dialog) = AskToDelete(FakeConnectionUseCases.View("production-tenant", rotations: 2));

        Assert.Contains("It is used by 2 rotation(s), so it cannot be deleted until they are.", dialog.TextContent);
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click();

        page.WaitForAssertion(() => Assert.Equal(refusal, page.Find("[data-testid=page-message]").TextContent));
        Assert.Contains("Not deleted.", page.Markup);
        Assert.Single(page.FindAll("[data-testid=connection-name]"));
    }

    /// <summary>An admin's list with one connection, and its delete confirmation open.</summary>
    private (IRenderedComponent<ConnectionsPage> Page, IRenderedComponent<MudDialogProvider> Dialogs, AngleSharp.Dom.IElement Dialog) AskToDelete(
        Web.Services.Connections.ConnectionView connection)
    {
        SignInAdmin();
        Fake.Connections.Add(connection);
        RenderPopoverProvider();
        var dialogs = Render<MudDialogProvider>();
        var page = Render<ConnectionsPage>();
        page.WaitForElement("[data-testid=delete-connection]").Click();
        return (page, dialogs, dialogs.WaitForElement("[data-testid=delete-connection-dialog]"));
    }
}
