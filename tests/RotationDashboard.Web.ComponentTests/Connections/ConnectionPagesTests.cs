using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Connections.Pages;

namespace RotationDashboard.Web.ComponentTests.Connections;

/// <summary>The edit and applications pages: found, not found, and what happens after saving.</summary>
[Trait(TestKind.Trait, TestKind.Component)]
public sealed class ConnectionPagesTests : ConnectionComponentTest
{
    public ConnectionPagesTests() => SignInAdmin();

    [Fact]
    public void The_new_page_shows_an_empty_form_and_saving_returns_to_the_list_with_a_message()
    {
        var snackbars = Render<MudSnackbarProvider>();
        var page = Render<ConnectionEdit>();
        Assert.Equal("New connection", page.Find("h1").TextContent);

        page.Find("input[data-testid=field-name]").Input("acme");
        page.Find("[data-testid=save-connection]").Click();

        var navigation = Services.GetRequiredService<NavigationManager>();
        page.WaitForAssertion(() => Assert.EndsWith("/connections", navigation.Uri, StringComparison.Ordinal));
        Assert.Contains("Connection created: acme", snackbars.Markup);
    }

    [Fact]
    public void The_edit_page_of_a_deleted_connection_says_it_is_gone()
    {
        var page = Render<ConnectionEdit>(p => p.Add(e => e.Id, Guid.NewGuid()));

        page.WaitForAssertion(() => Assert.Contains("Connection not found", page.Find("[data-testid=empty-state]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=connection-form]"));
        Assert.Equal("Edit connection", page.Find("h1").TextContent);
    }

    [Fact]
    public void The_applications_page_names_the_tenant_and_hosts_the_picker()
    {
        var connection = FakeConnectionUseCases.View("production-tenant", lastOk: true);
        Fake.Connections.Add(connection);

        var page = Render<ConnectionApplications>(p => p.Add(a => a.Id, connection.Id));

        page.WaitForAssertion(() => Assert.Equal(connection.Id.ToString(), page.Find("[data-testid=application-picker-stub]").TextContent));
        Assert.Contains("Applications in production-tenant.eu.auth0.com, listed through the connection \"production-tenant\".", page.Markup);
        Assert.Contains(page.FindAll("a"), a => a.TextContent.Trim() == "Back to connections" && a.GetAttribute("href") == "connections");
    }

    [Fact]
    public void The_applications_page_of_an_unknown_connection_says_it_is_gone()
    {
        var page = Render<ConnectionApplications>(p => p.Add(a => a.Id, Guid.NewGuid()));

        page.WaitForAssertion(() => Assert.Contains("Connection not found", page.Find("[data-testid=empty-state]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=application-picker-stub]"));
    }
}
