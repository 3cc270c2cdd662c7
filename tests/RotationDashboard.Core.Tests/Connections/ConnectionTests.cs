using RotationDashboard.Testing;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Connections;
using RotationDashboard.Core.Encryption;

namespace RotationDashboard.Core.Tests.Connections;

[Trait(TestKind.Trait, TestKind.Unit)]
public class ConnectionTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 10, 0, 0, 0, TimeSpan.Zero);
    private readonly ISecretProtector _protector = TestProtector.Create();

    [Fact]
    public void Create_normalises_domain_and_audience_and_encrypts_the_secret()
    {
        var connection = Connection.Create(
            new ConnectionSettings("my-auth0-connection", "https://tenant.us.auth0.com/", "m2m-client"), "mgmt-secret", _protector, Now);

        Assert.Equal("https://tenant.us.auth0.com", connection.Domain);
        Assert.Equal("https://tenant.us.auth0.com/api/v2/", connection.Audience);
        Assert.Equal("client-credentials", connection.Method);
        Assert.Equal("mgmt-secret", connection.RevealClientSecret(_protector));
        Assert.DoesNotContain("mgmt-secret", connection.ToString(), StringComparison.Ordinal);

        var bare = Connection.Create(new ConnectionSettings("bare", "tenant.eu.auth0.com", "c", "https://tenant.eu.auth0.com/api/v2"), "s", _protector, Now);
        Assert.Equal("tenant.eu.auth0.com", bare.Domain);
        Assert.Equal("https://tenant.eu.auth0.com/api/v2/", bare.Audience);
        Assert.Equal(new Uri("https://tenant.eu.auth0.com"), bare.BaseUri);
    }

    [Fact]
    public void Http_is_allowed_only_for_sandbox_connections()
    {
        var sandbox = Connection.Create(new ConnectionSettings("sandbox", "http://localhost:5080/sandbox", "c", IsSandbox: true), "s", _protector, Now);
        Assert.Equal("http://localhost:5080/sandbox/api/v2/", sandbox.Audience);

        var ex = Assert.Throws<DomainValidationException>(() =>
            Connection.Create(new ConnectionSettings("plain", "http://tenant.auth0.com", "c"), "s", _protector, Now));
        Assert.True(ex.Errors.ContainsKey("domain"));
    }

    public static TheoryData<string, bool> AudiencesThatAreNotTheTenantsManagementApi() => new()
    {
        { "ldap://tenant.eu.auth0.com/api/v2/", false },
        { "//tenant.eu.auth0.com/api/v2/", false },
        { "http://localhost:1/", false },
        { "http://localhost:1/", true },
        { "https://tenant.eu.auth0.com/api/v2/../../", false },
        { "https://tenant.eu.auth0.com/../../api/v2/", false },
        { "https://tenant.eu.auth0.com/api/v2/%2e%2e/", false },
        { "https://tenant.eu.auth0.com/api/v2/?next=https://evil.example", false },
        { "https://user@tenant.eu.auth0.com/api/v2/", false },
        { "https://evil.example.com/api/v2/", false },
        { "https://tenant.eu.auth0.com/api/v1/", false },
        { "https://tenant.eu.auth0.com:8443/api/v2/", false },
        { "https://tenant.eu.auth0.com/api/v2/" + new string('a', 1_000_000), false },
        { "urn:auth0:management", false },
    };

    [Theory]
    [MemberData(nameof(AudiencesThatAreNotTheTenantsManagementApi))]
    public void An_audience_that_is_not_the_tenants_Management_API_is_refused_on_the_audience_field(string audience, bool sandbox)
    {
        var domain = sandbox ? "http://localhost:5080/sandbox" : "tenant.eu.auth0.com";
        var errors = Connection.Validate(new ConnectionSettings("conn", domain, "c", audience, sandbox), "s", requireClientSecret: true);

        Assert.Equal(["audience"], errors.Keys);
        Assert.True(errors["audience"][0].Length < 300, "the message does not echo the value");
    }

    [Theory]
    [InlineData("tenant.eu.auth0.com", "https://tenant.eu.auth0.com/api/v2", "https://tenant.eu.auth0.com/api/v2/")]
    [InlineData("tenant.eu.auth0.com", " HTTPS://TENANT.eu.auth0.com/api/v2/ ", "https://tenant.eu.auth0.com/api/v2/")]
    [InlineData("login.example.com", "https://example-prod.us.auth0.com/api/v2/", "https://example-prod.us.auth0.com/api/v2/")]
    public void The_tenants_Management_API_audience_is_accepted_normalised(string domain, string audience, string stored)
    {
        var connection = Connection.Create(new ConnectionSettings("conn", domain, "c", audience), "s", _protector, Now);

        Assert.Equal(stored, connection.Audience);
    }

    [Fact]
    public void Invalid_settings_are_reported_per_field()
    {
        var errors = Connection.Validate(new ConnectionSettings("Bad Name", "", " ", "not a url"), "", requireClientSecret: true);

        Assert.Equal(["name", "domain", "clientId", "clientSecret", "audience"], errors.Keys);
    }

    [Fact]
    public void Validation_results_are_recorded_and_reset_when_credentials_change()
    {
        var connection = Connection.Create(new ConnectionSettings("c", "tenant.auth0.com", "client"), "s", _protector, Now);

        connection.RecordValidation(true, null, ["read:clients", "update:client_keys", "read:clients"], Now);
        Assert.True(connection.LastValidationOk);
        Assert.Equal("read:clients update:client_keys", connection.GrantedScopes);
        Assert.True(connection.HasScope("update:client_keys"));

        connection.Update(new ConnectionSettings("c", "tenant.auth0.com", "client"), "new-secret", _protector, Now.AddDays(1));
        Assert.Null(connection.LastValidationOk);
        Assert.Equal("", connection.GrantedScopes);
        Assert.Equal("new-secret", connection.RevealClientSecret(_protector));
    }

    [Fact]
    public void Moving_to_another_tenant_clears_the_last_validation_but_a_rename_does_not()
    {
        var connection = Connection.Create(new ConnectionSettings("c", "tenant.auth0.com", "client"), "s", _protector, Now);
        connection.RecordValidation(true, null, ["read:clients"], Now);

        connection.Update(new ConnectionSettings("renamed", "tenant.auth0.com", "client"), null, _protector, Now);
        Assert.True(connection.LastValidationOk);

        connection.Update(new ConnectionSettings("renamed", "other.auth0.com", "client"), null, _protector, Now);
        Assert.Null(connection.LastValidationOk);
        Assert.Equal("s", connection.RevealClientSecret(_protector));
    }

    [Fact]
    public void A_failed_validation_without_an_answer_keeps_the_known_scopes()
    {
        var connection = Connection.Create(new ConnectionSettings("c", "tenant.auth0.com", "client"), "s", _protector, Now);
        connection.RecordValidation(true, null, ["read:clients"], Now);

        connection.RecordValidation(false, "Auth0 is busy.", grantedScopes: null, Now);
        Assert.Equal("read:clients", connection.GrantedScopes);

        connection.RecordValidation(false, "Rejected.", grantedScopes: [], Now);
        Assert.Equal("", connection.GrantedScopes);
    }
}
