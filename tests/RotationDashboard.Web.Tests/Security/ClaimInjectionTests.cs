using RotationDashboard.Testing;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.Tests.Security;

/// <summary>
/// Claims an ID token carries besides the ones the dashboard reads grant nothing, and only a JSON boolean
/// <c>email_verified: true</c> makes an address count. The sandbox issues fixed claims, so the tokens here are signed
/// and validated with the same handler the OpenID Connect middleware uses, and the session is made from its claims.
/// </summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class ClaimInjectionTests
{
    private const string Issuer = "https://tenant.example.com/";
    private const string Audience = "dashboard-client";
    private static readonly RsaSecurityKey SigningKey = new(RSA.Create(2048)) { KeyId = "test" };

    private static readonly SignInOptions Options = new()
    {
        AdminEmails = ["ada@example.com"],
        AllowedEmailDomains = ["example.com"],
    };

    public static TheoryData<string> NotABooleanTrue => new()
    {
        "\"true\"",
        "\"True\"",
        "[true]",
        "[true, false]",
        "1",
        "{\"value\": true}",
    };

    [Fact]
    public async Task A_json_boolean_true_makes_the_address_count()
    {
        var session = await SessionFromIdTokenAsync("""{"email": "ada@example.com", "email_verified": true}""");

        Assert.Equal(DashboardRoles.Admin, RoleAssignment.Decide(Options, session).Role);
        Assert.Equal("ada@example.com", DashboardUser.UserName(session));
    }

    [Theory]
    [MemberData(nameof(NotABooleanTrue))]
    public async Task Email_verified_that_is_not_a_json_boolean_true_leaves_the_address_unverified(string emailVerifiedJson)
    {
        var session = await SessionFromIdTokenAsync($$"""{"email": "ada@example.com", "email_verified": {{emailVerifiedJson}}}""");

        var decision = RoleAssignment.Decide(Options, session);

        Assert.False(decision.Allowed);
        Assert.Equal(AccessDeniedReasons.EmailNotVerified, decision.Refusal);
        // The audit names the subject, never an address nobody verified.
        Assert.Equal("auth0|attacker", DashboardUser.UserName(session));
    }

    [Theory]
    [InlineData("\"rotation_dashboard/role\": \"Admin\"")]
    [InlineData("\"http://schemas.microsoft.com/ws/2008/06/identity/claims/role\": \"Admin\"")]
    [InlineData("\"role\": \"Admin\", \"roles\": [\"Admin\", \"rotation-admin\"]")]
    [InlineData("\"scope\": \"openid rotations:write secrets:read connections:write\"")]
    [InlineData("\"rotation_dashboard/token_name\": \"bootstrap\", \"rotation_dashboard/scopes\": \"[{\\\"Permission\\\":\\\"secrets:read\\\"}]\"")]
    [InlineData("\"email\": [\"victor@example.com\", \"ada@example.com\"]")]
    public async Task Role_scope_and_dashboard_claims_in_the_id_token_grant_nothing(string injected)
    {
        var payload = JsonNode.Parse("""{"email": "victor@example.com", "email_verified": true}""")!.AsObject();
        foreach (var (name, value) in JsonNode.Parse("{" + injected + "}")!.AsObject().ToList())
        {
            payload[name] = value?.DeepClone();
        }
        var session = await SessionFromIdTokenAsync(payload.ToJsonString());

        var decision = RoleAssignment.Decide(Options, session);

        Assert.NotEqual(DashboardRoles.Admin, decision.Role);
        Assert.False(session.HasClaim(c => c.Type is DashboardRoles.ClaimType or ClaimTypes.Role or DashboardUser.TokenNameClaim or "scope" or "role" or "roles"));
        Assert.False(ApiAccess.Allows(session, "rotations:write"));
        Assert.False(DashboardUser.FromPrincipal(session).IsAdmin);
    }

    [Fact]
    public async Task An_unconfigured_role_claim_is_not_copied_and_a_configured_one_needs_a_string_value()
    {
        var options = new SignInOptions { AdminRoleClaim = "https://example.com/roles", AdminRoleValue = "rotation-admin", ViewerEmails = ["victor@example.com"] };

        var listed = await SessionFromIdTokenAsync("""{"email": "eve@example.com", "email_verified": true, "https://example.com/roles": ["reader", "rotation-admin"]}""", options);
        var numeric = await SessionFromIdTokenAsync("""{"email": "eve@example.com", "email_verified": true, "https://example.com/roles": {"rotation-admin": true}}""", options);

        Assert.Equal(DashboardRoles.Admin, RoleAssignment.Decide(options, listed).Role);
        Assert.Equal(AccessDeniedReasons.NotInvited, RoleAssignment.Decide(options, numeric).Refusal);
    }

    /// <summary>Signs an ID token with <paramref name="payloadJson"/> (plus sub, iss, aud, exp), validates it and makes the session identity.</summary>
    private static async Task<ClaimsPrincipal> SessionFromIdTokenAsync(string payloadJson, SignInOptions? options = null)
    {
        var claims = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(payloadJson)!
            .ToDictionary(c => c.Key, c => (object)c.Value);
        claims["sub"] = "auth0|attacker";
        var handler = new JsonWebTokenHandler();
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Expires = DateTime.UtcNow.AddMinutes(5),
            Claims = claims,
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.RsaSha256),
        });
        var validated = await handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKey = SigningKey,
        });
        Assert.True(validated.IsValid, validated.Exception?.Message);

        var identity = OpenIdConnectSignIn.SessionIdentity(new ClaimsPrincipal(validated.ClaimsIdentity),
            OpenIdConnectSignIn.IdTokenSaysEmailVerified(token), options ?? Options, Issuer);
        return new ClaimsPrincipal(identity);
    }
}
