using RotationDashboard.Testing;
using System.Net;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Security;

/// <summary>
/// Transport hardening outside Development: HSTS and HTTPS redirection (https known from a configured proxy's
/// X-Forwarded-Proto), security headers, AllowedHosts. The app runs with EnvironmentName = "Production".
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class SecurityHeadersTests : IClassFixture<SecurityHeadersTests.ProductionFactory>
{
    public const string PublicHost = "dashboard.example.com";

    /// <summary>What a production start needs (a real Auth0 tenant is configured but never called here).</summary>
    public static IReadOnlyDictionary<string, string> ProductionSettings { get; } = new Dictionary<string, string>
    {
        ["Sandbox:Enabled"] = "false",
        ["Authentication:Domain"] = "tenant.example.com",
        ["Authentication:ClientId"] = "dashboard-client",
        ["Authentication:ClientSecret"] = "secret-value-for-the-test",
        ["Authentication:AdminEmails:0"] = "ada@example.com",
        ["Authentication:AllowedEmailDomains:0"] = "example.com",
        ["AllowedHosts"] = $"{PublicHost};127.0.0.1",
        ["HTTPS_PORT"] = "443",
    };

    public sealed class ProductionFactory : DashboardAppFactory
    {
        public ProductionFactory()
        {
            EnvironmentName = "Production";
            foreach (var (key, value) in ProductionSettings) Settings[key] = value;
            Settings["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1";
        }
    }

    private readonly ProductionFactory _app;

    public SecurityHeadersTests(ProductionFactory app) => _app = app;

    [Fact]
    public async Task Behind_a_tls_proxy_pages_carry_hsts_and_the_security_headers()
    {
        using var client = _app.CreateClient(new() { AllowAutoRedirect = false });

        using var response = await client.SendAsync(Request("account/access-denied", PublicHost, forwardedProto: "https"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertSecurityHeaders(response);
        Assert.Equal("max-age=31536000", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
    }

    [Fact]
    public async Task Plain_http_is_redirected_to_https_except_the_health_probe()
    {
        using var client = _app.CreateClient(new() { AllowAutoRedirect = false });

        using var page = await client.SendAsync(Request("account/access-denied", PublicHost));
        using var health = await client.SendAsync(Request("health", PublicHost));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, page.StatusCode);
        Assert.Equal($"https://{PublicHost}/account/access-denied", page.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.False(health.Headers.Contains("Strict-Transport-Security"), "HSTS is only sent over https");
    }

    [Fact]
    public async Task A_host_name_not_in_allowed_hosts_is_refused()
    {
        using var client = _app.CreateClient(new() { AllowAutoRedirect = false });

        using var response = await client.SendAsync(Request("health", "attacker.example.net", forwardedProto: "https"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Forwarded_headers_from_an_address_that_is_not_a_configured_proxy_are_ignored()
    {
        await using var app = new DashboardAppFactory { EnvironmentName = "Production" };
        foreach (var (key, value) in ProductionSettings) app.Settings[key] = value;
        app.Settings["ForwardedHeaders:KnownProxies:0"] = "10.20.30.40";
        using var client = app.CreateClient(new() { AllowAutoRedirect = false });

        using var response = await client.SendAsync(Request("account/access-denied", PublicHost, forwardedProto: "https"));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode); // still plain http: the header was not believed
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task In_development_the_security_headers_are_sent_but_no_hsts()
    {
        await using var app = new DashboardAppFactory();
        app.Settings["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1";
        using var client = app.CreateClient(new() { AllowAutoRedirect = false });

        using var response = await client.SendAsync(Request("account/access-denied", "localhost", forwardedProto: "https"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertSecurityHeaders(response);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    private static HttpRequestMessage Request(string path, string host, string? forwardedProto = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        if (forwardedProto is not null) request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        return request;
    }
}
