using RotationDashboard.Testing;
namespace RotationDashboard.Auth0.Tests;

[Trait(TestKind.Trait, TestKind.Unit)]
public class Auth0TenantAddressTests
{
    [Theory]
    [InlineData("my-tenant.eu.auth0.com", "https://my-tenant.eu.auth0.com/")]
    [InlineData("  my-tenant.eu.auth0.com  ", "https://my-tenant.eu.auth0.com/")]
    [InlineData("my-tenant.eu.auth0.com/", "https://my-tenant.eu.auth0.com/")]
    [InlineData("MY-Tenant.EU.auth0.com", "https://my-tenant.eu.auth0.com/")]
    [InlineData("https://my-tenant.eu.auth0.com", "https://my-tenant.eu.auth0.com/")]
    [InlineData("https://my-tenant.eu.auth0.com/", "https://my-tenant.eu.auth0.com/")]
    [InlineData("HTTPS://my-tenant.eu.auth0.com:443", "https://my-tenant.eu.auth0.com/")]
    [InlineData("login.example.com:8443", "https://login.example.com:8443/")]
    [InlineData("http://127.0.0.1:5000/sandbox-tenant", "http://127.0.0.1:5000/sandbox-tenant/")]
    [InlineData("http://127.0.0.1:5000/sandbox-tenant/", "http://127.0.0.1:5000/sandbox-tenant/")]
    [InlineData("http://localhost:5000/a/b", "http://localhost:5000/a/b/")]
    [InlineData("http://[::1]:5000/", "http://[::1]:5000/")]
    [InlineData("[::1]:5000", "https://[::1]:5000/")]
    public void Parse_normalises_to_a_base_with_trailing_slash(string input, string expectedBase)
    {
        var address = Auth0TenantAddress.Parse(input);

        Assert.Equal(expectedBase, address.BaseUri.AbsoluteUri);
        Assert.Equal(expectedBase, address.ToString());
        Assert.Equal(expectedBase + "oauth/token", address.TokenEndpoint.AbsoluteUri);
        Assert.Equal(expectedBase + "api/v2/", address.ManagementApiBase.AbsoluteUri);
        Assert.Equal(expectedBase + "api/v2/", address.ManagementApiAudience);
        Assert.Equal(expectedBase, address.ClientAssertionAudience);
    }

    [Fact]
    public void Relative_paths_resolve_under_a_base_path_instead_of_replacing_its_last_segment()
    {
        var address = Auth0TenantAddress.Parse("http://localhost:5000/sandbox-tenant");

        Assert.Equal("http://localhost:5000/sandbox-tenant/api/v2/clients/abc",
            new Uri(address.ManagementApiBase, "clients/abc").AbsoluteUri);
        Assert.Equal("localhost", address.Host);
        Assert.False(address.IsHttps);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData(null, "empty")]
    [InlineData("my tenant.auth0.com", "spaces")]
    [InlineData("my-tenant\n.auth0.com", "spaces or control")]
    [InlineData("https://my-tenant.auth0.com/?x=1", "query string")]
    [InlineData("my-tenant.auth0.com?audience=x", "query string")]
    [InlineData("https://my-tenant.auth0.com/#frag", "query string or fragment")]
    [InlineData("ftp://my-tenant.auth0.com", "https")]
    [InlineData("file:///etc/passwd", "https")]
    [InlineData("javascript:alert(1)", "not an http")]
    [InlineData("https://user:pass@my-tenant.auth0.com", "user name")]
    [InlineData("https://", "valid")]
    [InlineData("https://my-tenant.eu.auth0.com/api/v2/", "tenant domain only")]
    [InlineData("https://my-tenant.eu.auth0.com/oauth/token", "tenant domain only")]
    public void TryParse_rejects_garbage_with_a_clear_message(string? input, string expectedMessagePart)
    {
        Assert.False(Auth0TenantAddress.TryParse(input, out var address, out var error));
        Assert.Null(address);
        Assert.Matches(expectedMessagePart, error);

        if (input is not null)
            Assert.Throws<FormatException>(() => Auth0TenantAddress.Parse(input));
    }

    [Theory]
    [InlineData("https://my-tenant.eu.auth0.com/api/v2", "https://my-tenant.eu.auth0.com/api/v2/")]
    [InlineData("https://my-tenant.eu.auth0.com/api/v2/", "https://my-tenant.eu.auth0.com/api/v2/")]
    [InlineData(" https://api.example.com ", "https://api.example.com")]
    [InlineData("https://payments.example.com/api", "https://payments.example.com/api")]
    [InlineData("https://payments.example.com/api/", "https://payments.example.com/api/")]
    [InlineData("urn:my-api", "urn:my-api")]
    public void Management_API_audiences_get_their_trailing_slash_and_other_identifiers_stay_exact(string input, string expected) =>
        Assert.Equal(expected, Auth0TenantAddress.NormalizeAudience(input));

    [Theory]
    [InlineData("")]
    [InlineData("https://api.example.com/?a=b")]
    [InlineData("my api")]
    public void Bad_audiences_are_rejected(string input) =>
        Assert.False(Auth0TenantAddress.TryNormalizeAudience(input, out _, out _));

    [Fact]
    public void Addresses_compare_by_normalised_base()
    {
        Assert.Equal(Auth0TenantAddress.Parse("tenant.auth0.com"), Auth0TenantAddress.Parse("https://TENANT.auth0.com/"));
        Assert.NotEqual(Auth0TenantAddress.Parse("http://localhost:5000/a"), Auth0TenantAddress.Parse("http://localhost:5000/b"));
    }

    [Fact]
    public void Connection_settings_default_and_normalise_the_audience_and_never_print_the_secret()
    {
        const string secret = "super-secret-value-that-must-not-leak";
        var tenant = Auth0TenantAddress.Parse("tenant.auth0.com");

        var byDefault = new Auth0ConnectionSettings(tenant, " client-1 ", secret);
        var custom = new Auth0ConnectionSettings(tenant, "client-1", secret, "https://canonical.auth0.com/api/v2");

        Assert.Equal("client-1", byDefault.ClientId);
        Assert.Equal("https://tenant.auth0.com/api/v2/", byDefault.Audience);
        Assert.Equal("https://canonical.auth0.com/api/v2/", custom.Audience);
        Assert.DoesNotContain(secret, byDefault.ToString());
        Assert.Contains("client-1", byDefault.ToString());
    }
}
