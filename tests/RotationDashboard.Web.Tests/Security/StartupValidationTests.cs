using RotationDashboard.Testing;
using Microsoft.Extensions.Options;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Security;

[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class StartupValidationTests
{
    [Fact]
    public async Task Outside_development_missing_sign_in_settings_stop_the_app_naming_each_setting()
    {
        await using var app = new DashboardAppFactory { EnvironmentName = "Production" };
        app.Settings["Sandbox:Enabled"] = "false";

        var error = Assert.ThrowsAny<Exception>(() => app.StartKestrel());
        var validation = FindInner<OptionsValidationException>(error);

        Assert.NotNull(validation);
        foreach (var setting in new[] { "Authentication:Domain", "Authentication:ClientId", "Authentication:ClientSecret" })
        {
            Assert.Contains(setting, validation!.Message);
        }
    }

    [Fact]
    public async Task Outside_development_an_admin_must_be_configured_and_a_role_claim_needs_its_value()
    {
        await using var app = new DashboardAppFactory { EnvironmentName = "Production" };
        app.Settings["Sandbox:Enabled"] = "false";
        app.Settings["Authentication:Domain"] = "tenant.example.com";
        app.Settings["Authentication:ClientId"] = "client";
        app.Settings["Authentication:ClientSecret"] = "secret-value-for-the-test";

        var error = Assert.ThrowsAny<Exception>(() => app.StartKestrel());
        var validation = FindInner<OptionsValidationException>(error);

        Assert.NotNull(validation);
        Assert.Contains("No admin is configured: set Authentication:AdminEmails", validation!.Message);
        Assert.DoesNotContain("Authentication:ClientId", validation.Message);

        await using var halfRole = new DashboardAppFactory { EnvironmentName = "Production" };
        foreach (var (key, value) in app.Settings) halfRole.Settings[key] = value;
        halfRole.Settings["Authentication:AdminRoleClaim"] = "https://example.com/roles";
        var roleError = FindInner<OptionsValidationException>(Assert.ThrowsAny<Exception>(() => halfRole.StartKestrel()));
        Assert.Contains("AdminRoleClaim and Authentication:AdminRoleValue go together", roleError!.Message);
    }

    [Fact]
    public async Task Outside_development_sign_in_must_be_restricted_to_known_users()
    {
        await using var app = new DashboardAppFactory { EnvironmentName = "Production" };
        foreach (var (key, value) in SecurityHeadersTests.ProductionSettings) app.Settings[key] = value;
        app.Settings.Remove("Authentication:AllowedEmailDomains:0");

        var validation = FindInner<OptionsValidationException>(Assert.ThrowsAny<Exception>(() => app.StartKestrel()));

        Assert.NotNull(validation);
        Assert.Contains("Sign-in is open to everyone the identity provider authenticates", validation!.Message);
        foreach (var setting in new[] { "Authentication:AllowedEmailDomains", "Authentication:ViewerEmails", "Authentication:ViewerRoleClaim" })
        {
            Assert.Contains(setting, validation.Message);
        }
    }

    [Theory]
    [InlineData("Authentication:ViewerEmails:0", "victor@example.com", null)]
    [InlineData("Authentication:ViewerRoleClaim", "https://example.com/roles", "rotation-viewer")]
    public async Task Outside_development_a_viewer_list_or_role_claim_is_a_restriction_and_the_app_starts(string setting, string value, string? roleValue)
    {
        await using var app = new DashboardAppFactory { EnvironmentName = "Production" };
        foreach (var (key, v) in SecurityHeadersTests.ProductionSettings) app.Settings[key] = v;
        app.Settings.Remove("Authentication:AllowedEmailDomains:0");
        app.Settings[setting] = value;
        app.Settings["Authentication:ViewerRoleValue"] = roleValue;

        var address = app.StartKestrel();

        Assert.NotNull(address);
    }

    [Fact]
    public async Task The_sandbox_is_refused_outside_development_unless_allowed()
    {
        await using var app = new DashboardAppFactory { EnvironmentName = "Production" };
        app.Settings["Sandbox:Enabled"] = "true";
        app.Settings["Authentication:UseSandbox"] = "true";

        var error = Assert.ThrowsAny<Exception>(() => app.StartKestrel());

        Assert.Contains("Sandbox:AllowOutsideDevelopment", error.ToString());
    }

    [Theory]
    [InlineData("Xk2pQ9wLm4Rt7Vz1Bn8Cy3Hd6Jf0Ga5")]                  // 31 random characters: one too short
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]          // one letter repeated
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789ABCDEF")]        // a run, however long
    [InlineData("passwordpasswordpasswordpassword1234")]              // a repeated word
    [InlineData("dev-bootstrap-token-change-me-dev-bootstrap-token")] // an example phrase
    public async Task A_short_or_predictable_bootstrap_token_stops_the_app_without_showing_it(string weak)
    {
        await using var app = new DashboardAppFactory();
        app.Settings["Security:BootstrapToken"] = weak;

        var validation = FindInner<OptionsValidationException>(Assert.ThrowsAny<Exception>(() => app.StartKestrel()));

        Assert.NotNull(validation);
        Assert.Contains("Security:BootstrapToken is too weak", validation!.Message);
        Assert.Contains("openssl rand -base64 32", validation.Message);
        Assert.DoesNotContain(weak, validation.Message);
    }

    [Fact]
    public async Task A_generated_bootstrap_token_is_accepted()
    {
        var generated = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using var app = new DashboardAppFactory();
        app.Settings["Security:BootstrapToken"] = generated;
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", generated);

        using var response = await client.GetAsync("api/v1/projects");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("RateLimits:SignIn:PermitLimit", "0", "RateLimits:SignIn and RateLimits:FailedApiAuthentication need a PermitLimit")]
    [InlineData("RateLimits:FailedApiAuthentication:Window", "02:00:00", "RateLimits:SignIn and RateLimits:FailedApiAuthentication need a PermitLimit")]
    [InlineData("ForwardedHeaders:KnownProxies:0", "not-an-address", "ForwardedHeaders:KnownProxies must be IP addresses")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.0.0.0", "KnownNetworks CIDR networks")]
    public async Task Rate_limits_and_trusted_proxies_are_validated_at_start_up(string setting, string value, string expected)
    {
        await using var app = new DashboardAppFactory();
        app.Settings[setting] = value;

        var error = Assert.ThrowsAny<Exception>(() => app.StartKestrel());

        Assert.Contains(expected, error.ToString());
    }

    [Fact]
    public async Task Outside_development_allowed_hosts_must_be_configured()
    {
        await using var app = new DashboardAppFactory { EnvironmentName = "Production" };
        foreach (var (key, value) in SecurityHeadersTests.ProductionSettings) app.Settings[key] = value;
        app.Settings["AllowedHosts"] = "*";

        var error = Assert.ThrowsAny<Exception>(() => app.StartKestrel());

        Assert.Contains("AllowedHosts must list the dashboard's host names outside Development", error.ToString());
    }

    private static T? FindInner<T>(Exception? error) where T : Exception
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is T match) return match;
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (FindInner<T>(inner) is { } found) return found;
                }
            }
        }
        return null;
    }
}
