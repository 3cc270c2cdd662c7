using System.Net;
using RotationDashboard.Sandbox;
using RotationDashboard.Testing;
using RotationDashboard.Web.Application.Rotations;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Pages;

/// <summary>
/// The rotation page as first served (prerendered HTML, before any circuit): the rotation and its masked credential
/// slots are there, the credential values never are, whoever asks, an Admin included.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class RotationDetailPrerenderTests(NotificationsAppFactory app) : IClassFixture<NotificationsAppFactory>
{
    [Fact]
    public async Task The_prerendered_page_shows_the_rotation_masked_and_no_credential_value()
    {
        var client = app.Sandbox.CreateClient("Prerendered orders", SandboxAppType.NonInteractive, SandboxAuthMethod.ClientSecretPost);
        var rotation = await app.CreateRotationAsync("prerendered-orders", client.ClientId);
        var rotated = await app.Get<RotateNow>().ExecuteAsync(rotation.Id, Core.Rotations.RunTrigger.Api, DashboardAppFactory.Ada, waitForCompletion: true);
        Assert.True(rotated.Succeeded, rotated.ToString());
        var revealed = (await app.Get<RevealCredentials>().ExecuteAsync(rotation.Id, DashboardAppFactory.Ada)).Value;
        var values = revealed.GeneratedCredentials.Select(s => s.ClientSecret).OfType<string>().ToList();
        Assert.Equal(2, values.Count); // CURRENT and PREVIOUS both hold a value the page must not leak
        using var admin = await SandboxSignIn.CreateSignedInClientAsync(app.Address, SandboxSignIn.Admin);

        var response = await admin.GetAsync($"rotations/{rotation.Id}");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<h1>prerendered-orders</h1>", html);
        Assert.Contains("data-testid=\"credential-masked\"", html);
        Assert.Contains("data-testid=\"reveal-credentials\"", html);
        Assert.All(values, value => Assert.DoesNotContain(value, html));
        Assert.DoesNotContain(app.Sandbox.GetClientSecret(client.ClientId)!, html);
    }
}
