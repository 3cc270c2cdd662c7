using RotationDashboard.Testing;
using System.Net;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Connections;

/// <summary>What the server renders for each role (the service refuses Viewer writes anyway).</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
[Collection(ConnectionsAppCollection.Name)]
public sealed class ConnectionPageTests
{
    private readonly ConnectionsAppFactory _app;

    public ConnectionPageTests(ConnectionsAppFactory app) => _app = app;

    [Fact]
    public async Task A_viewer_sees_the_connections_but_no_write_controls()
    {
        using var victor = await SandboxSignIn.CreateSignedInClientAsync(_app.Address, SandboxSignIn.Viewer);

        var list = await victor.GetStringAsync("connections");
        var form = await victor.GetStringAsync("connections/new");

        Assert.Contains(SandboxConnections.DefaultConnectionName, list);
        Assert.Contains("data-testid=\"show-applications\"", list);
        foreach (var control in new[] { "new-connection", "edit-connection", "delete-connection", "test-connection-row" })
        {
            Assert.DoesNotContain($"data-testid=\"{control}\"", list);
        }

        Assert.Contains("Access denied", form);
        Assert.DoesNotContain("data-testid=\"connection-form\"", form);
    }

    [Fact]
    public async Task An_admin_gets_the_write_controls_and_the_form()
    {
        using var ada = await SandboxSignIn.CreateSignedInClientAsync(_app.Address, SandboxSignIn.Admin);

        var list = await ada.GetStringAsync("connections");
        var form = await ada.GetStringAsync("connections/new");
        var missing = await ada.GetAsync($"connections/{Guid.NewGuid()}/applications");

        Assert.Contains("data-testid=\"new-connection\"", list);
        Assert.Contains("data-testid=\"delete-connection\"", list);
        Assert.Contains("data-testid=\"connection-form\"", form);
        Assert.Contains("Built-in sandbox tenant", form);
        Assert.Equal(HttpStatusCode.OK, missing.StatusCode);
        Assert.Contains("Connection not found", await missing.Content.ReadAsStringAsync());
    }
}
