using RotationDashboard.Testing;
using System.Net;
using System.Text;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Security;

/// <summary>Unsafe requests a session cookie authenticates need the antiforgery token: API calls of every method, and sign-out.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class AntiforgeryTests : IClassFixture<DashboardAppFactory>
{
    private readonly Uri _address;

    public AntiforgeryTests(DashboardAppFactory app) => _address = app.StartKestrel();

    [Theory]
    [InlineData("POST", "api/v1/app-connections/auth0/{0}/validate")]
    [InlineData("PATCH", "api/v1/app-connections/auth0/{0}")]
    [InlineData("DELETE", "api/v1/app-connections/auth0/{0}")]
    public async Task A_cookie_authenticated_api_call_without_the_antiforgery_header_is_refused(string method, string pathFormat)
    {
        using var client = await SandboxSignIn.CreateSignedInClientAsync(_address, SandboxSignIn.Admin);
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, pathFormat, Guid.NewGuid());

        using var withToken = await client.SendAsync(Request(method, path));
        client.DefaultRequestHeaders.Remove(ApiAntiforgeryMiddleware.HeaderName);
        using var withoutToken = await client.SendAsync(Request(method, path));

        Assert.Equal(HttpStatusCode.NotFound, withToken.StatusCode); // past the check: the connection does not exist
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        Assert.Contains("Antiforgery token missing or invalid", await withoutToken.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Sign_out_without_the_antiforgery_token_is_refused_and_the_session_stays()
    {
        using var client = await SandboxSignIn.CreateSignedInClientAsync(_address, SandboxSignIn.Viewer);
        client.DefaultRequestHeaders.Remove(ApiAntiforgeryMiddleware.HeaderName);

        // What another site's auto-submitting form (or a bodiless fetch) would send.
        using var emptyPost = await client.PostAsync(AuthenticationSetup.SignOutPath, null);
        using var formPost = await client.PostAsync(AuthenticationSetup.SignOutPath, new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, emptyPost.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, formPost.StatusCode);
        Assert.Contains(">Viewer<", await client.GetStringAsync(""));
    }

    private static HttpRequestMessage Request(string method, string path) => new(new HttpMethod(method), path)
    {
        Content = method == "DELETE" ? null : new StringContent("""{"name":"renamed"}""", Encoding.UTF8, "application/json"),
    };
}
