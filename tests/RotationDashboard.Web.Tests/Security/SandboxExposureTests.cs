using RotationDashboard.Testing;
using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Security;

/// <summary>
/// The built-in sandbox tenant off, and on a demo server (Production with Sandbox:AllowOutsideDevelopment): no routes
/// when off; a secret for its admin endpoints, an explicit public address for its sign-in, whatever the Host header.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class SandboxExposureTests : IClassFixture<SandboxExposureTests.DemoFactory>
{
    public const string PublicBaseUrl = "https://demo.example.com";
    public const string AdminSecretHeader = "X-Sandbox-Admin-Secret";
    public static readonly string AdminSecret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>A demo server: the sandbox and sign-in through it outside Development, with every setting that needs.</summary>
    public static Dictionary<string, string> DemoSettings { get; } = new()
    {
        ["Sandbox:Enabled"] = "true",
        ["Sandbox:AllowOutsideDevelopment"] = "true",
        ["Sandbox:AdminSecret"] = AdminSecret,
        ["Sandbox:PublicBaseUrl"] = PublicBaseUrl,
        ["Authentication:UseSandbox"] = "true",
        ["Authentication:AllowedEmailDomains:0"] = "sandbox.test",
        ["AllowedHosts"] = "demo.example.com;127.0.0.1;localhost",
        // The proxy in front of the demo: its forwarded headers are believed.
        ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
    };

    public sealed class DemoFactory : DashboardAppFactory
    {
        public DemoFactory()
        {
            EnvironmentName = "Production";
            foreach (var (key, value) in DemoSettings) Settings[key] = value;
        }
    }

    private readonly DemoFactory _demo;

    public SandboxExposureTests(DemoFactory demo) => _demo = demo;

    [Fact]
    public async Task With_the_sandbox_disabled_its_routes_answer_404_and_no_tenant_is_registered()
    {
        await using var app = new DashboardAppFactory();
        app.Settings["Sandbox:Enabled"] = "false";
        app.Settings["Authentication:UseSandbox"] = "false";
        app.Settings["Authentication:Domain"] = "tenant.example.com";
        app.Settings["Authentication:ClientId"] = "dashboard-client";
        app.Settings["Authentication:ClientSecret"] = "secret-value-for-the-test";
        using var client = app.CreateClient(new() { AllowAutoRedirect = false });

        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Get, "sandbox-tenant/authorize?client_id=sandbox-dashboard-login&response_type=code"),
                     (HttpMethod.Post, "sandbox-tenant/oauth/token"),
                     (HttpMethod.Get, "sandbox-tenant/api/v2/clients"),
                     (HttpMethod.Get, "sandbox-tenant/.well-known/openid-configuration"),
                     (HttpMethod.Get, "sandbox-tenant/__sandbox/faults"),
                     (HttpMethod.Post, "sandbox-tenant/__sandbox/reset"),
                 })
        {
            using var response = await client.SendAsync(new HttpRequestMessage(method, path));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        Assert.Null(app.AppServices.GetService<SandboxTenant>());
    }

    [Fact]
    public async Task A_demo_server_does_not_start_without_an_admin_secret_and_a_public_base_url()
    {
        await using var app = new DashboardAppFactory { EnvironmentName = "Production" };
        foreach (var (key, value) in DemoSettings) app.Settings[key] = value;
        app.Settings.Remove("Sandbox:AdminSecret");
        app.Settings.Remove("Sandbox:PublicBaseUrl");

        var error = Assert.ThrowsAny<Exception>(() => app.StartKestrel());

        Assert.Contains("Sandbox:AdminSecret", error.ToString());
        Assert.Contains("Sandbox:PublicBaseUrl", error.ToString());
    }

    [Theory]
    [InlineData("Sandbox:AdminSecret", "passwordpasswordpasswordpassword1234", "Sandbox:AdminSecret is too weak")]
    [InlineData("Sandbox:PublicBaseUrl", "http://demo.example.com", "Sandbox:PublicBaseUrl must be")]
    [InlineData("Sandbox:PublicBaseUrl", "demo.example.com", "Sandbox:PublicBaseUrl must be")]
    [InlineData("Sandbox:PublicBaseUrl", "https://demo.example.com/?x=1", "Sandbox:PublicBaseUrl must be")]
    public async Task A_demo_server_refuses_a_weak_admin_secret_and_a_public_base_url_that_is_not_https(string setting, string value, string expected)
    {
        await using var app = new DashboardAppFactory { EnvironmentName = "Production" };
        foreach (var (key, v) in DemoSettings) app.Settings[key] = v;
        app.Settings[setting] = value;

        var error = Assert.ThrowsAny<Exception>(() => app.StartKestrel());

        Assert.Contains(expected, error.ToString());
        Assert.DoesNotContain("passwordpassword", error.ToString());
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("X-Forwarded-For", "127.0.0.1")]
    [InlineData(AdminSecretHeader, "not-the-secret")]
    public async Task On_a_demo_server_the_sandbox_admin_endpoints_need_the_secret_even_from_loopback(string? header, string? value)
    {
        using var client = _demo.CreateClient(new() { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "sandbox-tenant/__sandbox/faults");
        if (header is not null) request.Headers.Add(header, value);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task On_a_demo_server_the_sandbox_admin_endpoints_work_with_the_secret()
    {
        using var client = _demo.CreateClient(new() { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "sandbox-tenant/__sandbox/faults");
        request.Headers.Add(AdminSecretHeader, AdminSecret);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task In_development_a_forwarded_request_is_never_taken_for_a_loopback_caller()
    {
        await using var app = new DashboardAppFactory();
        app.Settings["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1";
        using var client = app.CreateClient(new() { AllowAutoRedirect = false });

        using var direct = await client.GetAsync("sandbox-tenant/__sandbox/faults");
        using var forwarded = new HttpRequestMessage(HttpMethod.Get, "sandbox-tenant/__sandbox/faults");
        forwarded.Headers.Add("X-Forwarded-For", "127.0.0.1");
        using var proxied = await client.SendAsync(forwarded);

        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, proxied.StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("demo.example.com")]
    public async Task On_a_demo_server_sign_in_and_sign_out_use_the_public_base_url_whatever_the_host_header(string host)
    {
        using var client = _demo.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        var port = client.BaseAddress!.Port;

        using var signIn = new HttpRequestMessage(HttpMethod.Get, "account/signin?returnUrl=%2F");
        signIn.Headers.Host = $"{host}:{port}";
        using var challenge = await client.SendAsync(signIn);
        using var signOut = new HttpRequestMessage(HttpMethod.Post, "account/signout");
        signOut.Headers.Host = $"{host}:{port}";
        using var logout = await client.SendAsync(signOut);

        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = challenge.Headers.Location!;
        Assert.Equal($"{PublicBaseUrl}/sandbox-tenant/authorize", authorize.GetLeftPart(UriPartial.Path));
        Assert.Equal($"{PublicBaseUrl}/signin-auth0", QueryHelpers.ParseQuery(authorize.Query)["redirect_uri"].ToString());
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        var logoutAddress = logout.Headers.Location!;
        Assert.Equal($"{PublicBaseUrl}/sandbox-tenant/v2/logout", logoutAddress.GetLeftPart(UriPartial.Path));
        Assert.Equal($"{PublicBaseUrl}/account/signed-out", QueryHelpers.ParseQuery(logoutAddress.Query)["returnTo"].ToString());

        // The sandbox's login app takes the public callback and nothing on loopback.
        using var sandboxPage = await client.GetAsync(authorize.PathAndQuery.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, sandboxPage.StatusCode);
        var loopbackCallback = authorize.PathAndQuery.Replace(Uri.EscapeDataString($"{PublicBaseUrl}/signin-auth0"),
            Uri.EscapeDataString($"http://127.0.0.1:{port}/signin-auth0"));
        using var refused = await client.GetAsync(loopbackCallback.TrimStart('/'));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public void On_a_demo_server_nobody_is_an_admin_unless_the_admin_emails_list_them()
    {
        _demo.StartKestrel();
        var signIn = _demo.AppServices.GetRequiredService<IOptions<RotationDashboard.Web.Security.SignInOptions>>().Value;
        var ada = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
        [
            new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Email, SandboxSeed.AdaAdminEmail),
            new System.Security.Claims.Claim("email_verified", "true", System.Security.Claims.ClaimValueTypes.Boolean),
        ], "test"));

        var decision = RotationDashboard.Web.Security.RoleAssignment.Decide(signIn, ada);

        // Anyone who reaches the demo can pick Ada: outside Development no admin list names her unless the operator does.
        Assert.Equal(RotationDashboard.Web.Security.DashboardRoles.Viewer, decision.Role);
    }
}
