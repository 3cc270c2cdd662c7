using RotationDashboard.Testing;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Security;

namespace RotationDashboard.Core.Tests.Security;

[Trait(TestKind.Trait, TestKind.Unit)]
public class ApiTokenTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 10, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Issue_returns_the_value_once_and_stores_only_its_hash()
    {
        var issued = ApiToken.Issue("ci-deploy", [new ApiTokenScope(ApiPermissions.RotationsRead)], "user:ada", null, Now);

        Assert.StartsWith("rdt_", issued.Value, StringComparison.Ordinal);
        Assert.Equal(47, issued.Value.Length);
        Assert.Equal(issued.Value[..12], issued.Token.Prefix);
        Assert.Equal(ApiToken.Hash(issued.Value), issued.Token.TokenHash);
        Assert.Equal(64, issued.Token.TokenHash.Length);
        Assert.DoesNotContain(issued.Value, issued.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(issued.Value, issued.Token.ToString(), StringComparison.Ordinal);
        Assert.True(issued.Token.Matches(issued.Value));
        Assert.False(issued.Token.Matches(issued.Value + "x"));
        Assert.False(issued.Token.Matches(null));
        Assert.NotEqual(issued.Value, ApiToken.Issue("other", [new ApiTokenScope(ApiPermissions.RotationsRead)], "user:ada", null, Now).Value);
    }

    [Fact]
    public void Expired_or_revoked_tokens_are_inactive()
    {
        var token = ApiToken.Issue("t", [new ApiTokenScope(ApiPermissions.SecretsRead)], "user:ada", Now.AddDays(1), Now).Token;

        Assert.True(token.IsActive(Now));
        Assert.False(token.IsActive(Now.AddDays(1)));
        token.Revoke(Now.AddHours(1));
        Assert.False(token.IsActive(Now.AddHours(2)));
    }

    [Fact]
    public void Scopes_limit_secret_reads_to_a_project_environment_and_path_subtree()
    {
        var project = Guid.NewGuid();
        var token = ApiToken.Issue("reader", [new ApiTokenScope(ApiPermissions.SecretsRead, project, "prod", "/payments")], "user:ada", null, Now).Token;

        Assert.True(token.Allows(ApiPermissions.SecretsRead, project, "prod", "/payments"));
        Assert.True(token.Allows(ApiPermissions.SecretsRead, project, "prod", "/payments/eu/"));
        Assert.False(token.Allows(ApiPermissions.SecretsRead, project, "prod", "/payments-old"));
        Assert.False(token.Allows(ApiPermissions.SecretsRead, project, "prod", "/"));
        Assert.False(token.Allows(ApiPermissions.SecretsRead, project, "dev", "/payments"));
        Assert.False(token.Allows(ApiPermissions.SecretsRead, Guid.NewGuid(), "prod", "/payments"));
        Assert.False(token.Allows(ApiPermissions.RotationsWrite));
    }

    [Fact]
    public void Invalid_issue_requests_report_per_field_errors()
    {
        var ex = Assert.Throws<DomainValidationException>(() =>
            ApiToken.Issue(" ", [new ApiTokenScope("secrets:write", Environment: "Prod!", SecretPath: "/../x")], "user:ada", Now, Now));

        Assert.True(ex.Errors.ContainsKey("name"));
        Assert.True(ex.Errors.ContainsKey("scopes[0].permission"));
        Assert.True(ex.Errors.ContainsKey("scopes[0].environment"));
        Assert.True(ex.Errors.ContainsKey("scopes[0].secretPath"));
        Assert.True(ex.Errors.ContainsKey("expiresAt"));
        Assert.True(ApiToken.Validate("x", [], null, Now).ContainsKey("scopes"));
    }

    [Theory]
    [InlineData("bootstrap")]
    [InlineData(" Bootstrap ")]
    [InlineData("SYSTEM")]
    public void Names_the_audit_log_uses_for_other_actors_are_reserved(string name)
    {
        var errors = ApiToken.Validate(name, [new ApiTokenScope(ApiPermissions.RotationsRead)], null, Now);

        Assert.Contains("reserved", Assert.Single(errors["name"]));
        Assert.False(ApiToken.Validate("bootstrap-ci", [new ApiTokenScope(ApiPermissions.RotationsRead)], null, Now).HasErrors);
    }
}
