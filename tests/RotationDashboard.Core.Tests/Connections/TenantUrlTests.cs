using RotationDashboard.Testing;
using RotationDashboard.Core.Connections;

namespace RotationDashboard.Core.Tests.Connections;

[Trait(TestKind.Trait, TestKind.Unit)]
public class TenantUrlTests
{
    [Theory]
    [InlineData("tenant.eu.auth0.com", "tenant.eu.auth0.com", "https://tenant.eu.auth0.com/")]
    [InlineData(" TENANT.eu.auth0.com/ ", "tenant.eu.auth0.com", "https://tenant.eu.auth0.com/")]
    [InlineData("login.example.com:8443", "login.example.com:8443", "https://login.example.com:8443/")]
    [InlineData("https://tenant.eu.auth0.com:443/", "https://tenant.eu.auth0.com", "https://tenant.eu.auth0.com/")]
    [InlineData("https://tenant.eu.auth0.com/custom/", "https://tenant.eu.auth0.com/custom", "https://tenant.eu.auth0.com/custom/")]
    public void Stored_domain_and_base_uri_come_from_the_one_parser(string input, string stored, string baseUri)
    {
        Assert.True(Connection.TryNormalizeDomain(input, allowHttp: false, out var normalized, out var error), error);

        Assert.Equal(stored, normalized);
        Assert.Equal(baseUri, Connection.ToBaseUri(normalized).AbsoluteUri);
        Assert.True(TenantUrl.TryParseBase(input, out var parsed, out _));
        Assert.Equal(baseUri, parsed.AbsoluteUri);
        Assert.Equal(baseUri + "api/v2/", Connection.DefaultAudience(normalized));
    }

    [Theory]
    [InlineData("https://tenant.eu.auth0.com/api/v2/", "tenant domain only")]
    [InlineData("tenant.eu.auth0.com?x=1", "query string")]
    [InlineData("ftp://tenant.eu.auth0.com", "https")]
    [InlineData("https://user:pw@tenant.eu.auth0.com", "user name")]
    [InlineData("http://tenant.eu.auth0.com", "http is allowed only for a sandbox")]
    public void Connections_get_the_parser_messages_plus_the_https_rule(string input, string messagePart)
    {
        Assert.False(Connection.TryNormalizeDomain(input, allowHttp: false, out _, out var error));
        Assert.Contains(messagePart, error);
    }

    [Fact]
    public void A_sandbox_base_url_keeps_its_path_and_http()
    {
        Assert.True(Connection.TryNormalizeDomain("http://127.0.0.1:5080/sandbox-tenant/", allowHttp: true, out var normalized, out _));

        Assert.Equal("http://127.0.0.1:5080/sandbox-tenant", normalized);
        Assert.Equal("http://127.0.0.1:5080/sandbox-tenant/api/v2/", Connection.DefaultAudience(normalized));
    }

    [Theory]
    [InlineData("https://tenant.eu.auth0.com/api/v2", "https://tenant.eu.auth0.com/api/v2/")]
    [InlineData("urn:my-api", "urn:my-api")]
    public void Audiences_are_normalised_once(string input, string expected)
    {
        Assert.True(TenantUrl.TryNormalizeAudience(input, out var normalized, out _));
        Assert.Equal(expected, normalized);
    }

    [Fact]
    public void A_connection_audience_must_be_a_url()
    {
        var errors = Connection.Validate(new ConnectionSettings("c", "tenant.eu.auth0.com", "client", "urn:my-api"), "s", requireClientSecret: true);

        Assert.Equal(["audience"], errors.Keys);
    }
}
