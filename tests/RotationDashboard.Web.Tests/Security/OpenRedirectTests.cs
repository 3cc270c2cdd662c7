using RotationDashboard.Testing;
using System.Net;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Security;

/// <summary>The sign-in's return address, followed through the whole OpenID Connect callback, always stays on the dashboard.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class OpenRedirectTests : IClassFixture<DashboardAppFactory>
{
    private readonly Uri _address;

    public OpenRedirectTests(DashboardAppFactory app) => _address = app.StartKestrel();

    [Theory]
    [InlineData("%2F%09%2Fevil.example")]         // "/\t/evil.example": browsers drop the tab and go to //evil.example
    [InlineData("/%09/evil.example")]
    [InlineData("/%0d%0a/evil.example")]           // CR LF, dropped the same way
    [InlineData("%2F%0A%2Fevil.example")]
    [InlineData("//evil.example")]
    [InlineData("%2F%2Fevil.example%2Fpath")]
    [InlineData("/%5Cevil.example")]               // "/\evil.example": browsers read \ as /
    [InlineData("%2F%5C%5Cevil.example")]
    [InlineData("https%3A%2F%2Fevil.example%2F")]
    [InlineData("http://evil.example/")]
    [InlineData("javascript%3Aalert(1)")]
    [InlineData("~%2F%2Fevil.example")]
    public async Task A_foreign_or_ambiguous_return_url_lands_on_the_dashboard_home_page(string escapedReturnUrl)
    {
        var (client, callback) = await SandboxSignIn.ReachCallbackAsync(_address, SandboxSignIn.Viewer, escapedReturnUrl);
        using var _ = client;

        using var signedIn = await client.GetAsync(callback);

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/", signedIn.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("%2Frotations%3Fproject%3Dx", "/rotations?project=x")]
    [InlineData("%2Fsettings", "/settings")]
    public async Task A_local_return_url_is_kept(string escapedReturnUrl, string expected)
    {
        var (client, callback) = await SandboxSignIn.ReachCallbackAsync(_address, SandboxSignIn.Viewer, escapedReturnUrl);
        using var _ = client;

        using var signedIn = await client.GetAsync(callback);

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(expected, signedIn.Headers.Location!.OriginalString);
    }
}
