using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Services.ApiTokens;

namespace RotationDashboard.Web.Security;

public sealed class ApiTokenAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>
    /// <c>Security:BootstrapToken</c> (env <c>Security__BootstrapToken</c>): an admin token from configuration for
    /// automation and first set-up. It has every permission; prefer tokens created in Settings → API tokens.
    /// </summary>
    public string? BootstrapToken { get; set; }
}

/// <summary><c>Authorization: Bearer rdt_…</c> for /api: tokens created in the UI (stored hashed) or the bootstrap token.</summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<ApiTokenAuthenticationOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiTokenService tokens,
    Services.MachineIdentities.MachineIdentityService machineIdentities,
    FailedApiAuthenticationLimiter failedAuthentications)
    : AuthenticationHandler<ApiTokenAuthenticationOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiToken";
    public const string BootstrapTokenName = "bootstrap";
    public const string ScopesClaim = "rotation_dashboard/api_scopes";

    private static readonly IReadOnlyList<ApiTokenScope> BootstrapScopes = ApiPermissions.All.Select(p => new ApiTokenScope(p)).ToList();

    // A checked token hands out the same scope list until its cache entry expires: serialise it once, not per request.
    private static readonly ConditionalWeakTable<IReadOnlyList<ApiTokenScope>, string> SerializedScopes = [];

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = BearerValue(Request);
        if (presented is null) return AuthenticateResult.NoResult();

        var clientAddress = HttpHardening.ClientAddress(Context);
        if (failedAuthentications.Blocked(clientAddress) is { } blocked)
        {
            Context.Features.Set(new BlockedAuthentication(blocked));
            return AuthenticateResult.Fail("Too many failed API authentications from this address.");
        }

        if (Options.BootstrapToken is { Length: > 0 } bootstrap && FixedTimeEquals(presented, bootstrap))
        {
            return Success(BootstrapTokenName, BootstrapScopes);
        }

        // A machine identity's access token (Universal Auth) acts with the identity's scopes, like an API token.
        if (presented.StartsWith(Core.Security.MachineIdentityAccessToken.ValuePrefix, StringComparison.Ordinal))
        {
            var identity = await machineIdentities.AuthenticateAsync(presented, Context.RequestAborted);
            if (identity is null)
            {
                failedAuthentications.RecordFailure(clientAddress);
                return AuthenticateResult.Fail("The access token is unknown, revoked or expired.");
            }

            return Success(Core.Security.MachineIdentity.ActorName(identity.Name), identity.Scopes);
        }

        var token = await tokens.AuthenticateAsync(presented, Context.RequestAborted);
        if (token is null)
        {
            failedAuthentications.RecordFailure(clientAddress);
            return AuthenticateResult.Fail("The API token is unknown, revoked or expired.");
        }
        return Success(token.Name, token.Scopes);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Features.Get<BlockedAuthentication>() is { } blocked)
        {
            using var lease = blocked.Lease;
            await HttpHardening.WriteTooManyRequestsAsync(Context, lease, "Too many failed API authentications from this address.");
            return;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(statusCode: 401, title: "Unauthorized",
            detail: "Send a valid API token as 'Authorization: Bearer <token>'.").ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Results.Problem(statusCode: 403, title: "Forbidden",
            detail: "The API token does not have the permission this request needs.").ExecuteAsync(Context);
    }

    /// <summary>
    /// A bearer token on an <c>/api</c> request. Other bearer tokens are not ours (the in-app sandbox tenant's Management
    /// API gets its own tokens), so this scheme neither checks nor logs them.
    /// </summary>
    public static bool IsApiTokenRequest(HttpRequest request) =>
        request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) && BearerValue(request) is not null;

    public static string? BearerValue(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }

    // No role claim, not even for the bootstrap token: a token may do what its scopes say (the bootstrap token's are all).
    private AuthenticateResult Success(string name, IReadOnlyList<ApiTokenScope> scopes)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, name),
            new(DashboardUser.TokenNameClaim, name),
            new(ScopesClaim, SerializedScopes.GetValue(scopes, s => JsonSerializer.Serialize(s))),
        };
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));
}

/// <summary>Marks a request whose client address is refused for failed authentications, with the lease that says how long.</summary>
internal sealed record BlockedAuthentication(System.Threading.RateLimiting.RateLimitLease Lease);

/// <summary>What a caller of the API may do: tokens by their scopes, signed-in users by their role.</summary>
public static class ApiAccess
{
    public static bool Allows(ClaimsPrincipal user, string permission, Guid? projectId = null, string? environment = null, string? secretPath = null)
    {
        if (user.Identity?.IsAuthenticated != true) return false;

        if (user.FindFirstValue(ApiTokenAuthenticationHandler.ScopesClaim) is { } json)
        {
            var scopes = ParseScopes(json);
            // Without a location the question is "may it do this anywhere?": location limits are checked by the endpoint.
            return projectId is null && environment is null && secretPath is null
                ? scopes.Any(s => s.Permission == permission)
                : scopes.Any(s => s.Allows(permission, projectId, environment, secretPath));
        }

        return RolePermissions.Of(user).Contains(permission);
    }

    /// <summary>
    /// Whether the caller may use <paramref name="permission"/> somewhere in the project (for lists: each item is
    /// then checked at its own environment and path).
    /// </summary>
    public static bool AllowsInProject(ClaimsPrincipal user, string permission, Guid projectId) =>
        user.FindFirstValue(ApiTokenAuthenticationHandler.ScopesClaim) is { } json
            ? ParseScopes(json).Any(s => s.Permission == permission && (s.ProjectId is null || s.ProjectId == projectId))
            : Allows(user, permission);

    /// <summary>
    /// Whether the caller may see anything of a project (and environment, when given): a token only where one of
    /// its scopes reaches, a signed-in user everywhere.
    /// </summary>
    public static bool MaySee(ClaimsPrincipal user, Guid projectId, string? environment = null)
    {
        if (user.Identity?.IsAuthenticated != true) return false;
        if (user.FindFirstValue(ApiTokenAuthenticationHandler.ScopesClaim) is not { } json) return true;
        return ParseScopes(json).Any(s => ApiPermissions.Limitable.Contains(s.Permission) &&
            (s.ProjectId is null || s.ProjectId == projectId)
            && (environment is null || s.Environment is null || string.Equals(s.Environment, environment, StringComparison.Ordinal)));
    }

    // A token's scopes claim is the same text on every request (consumers read on every call): parse each text once.
    private static readonly ConcurrentDictionary<string, ApiTokenScope[]> ParsedScopes = new(StringComparer.Ordinal);
    private const int MaxParsedScopeSets = 1024;

    private static ApiTokenScope[] ParseScopes(string json)
    {
        if (ParsedScopes.TryGetValue(json, out var cached)) return cached;
        var scopes = JsonSerializer.Deserialize<ApiTokenScope[]>(json) ?? [];
        if (ParsedScopes.Count < MaxParsedScopeSets) ParsedScopes.TryAdd(json, scopes);
        return scopes;
    }
}

public sealed record ApiPermissionRequirement(string Permission) : IAuthorizationRequirement;

/// <summary>
/// Endpoint metadata: the caller needs one of these permissions (an endpoint with several of these needs each). What
/// the authorization policies enforce, declared so the permission of every route can be listed and tested.
/// </summary>
public sealed record ApiPermissionMetadata(IReadOnlyList<string> AnyOf);

/// <summary>An <c>/api</c> route only a signed-in Admin's browser session may call: never an API token, which carries no role.</summary>
public sealed record AdminSessionOnlyMetadata;

public sealed class ApiPermissionHandler : AuthorizationHandler<ApiPermissionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ApiPermissionRequirement requirement)
    {
        if (ApiAccess.Allows(context.User, requirement.Permission)) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

public static class ApiPolicies
{
    private const string Prefix = "api:";

    /// <summary>The policy name for an API permission (e.g. <c>rotations:write</c>), for <c>RequireAuthorization</c>.</summary>
    public static string For(string permission) => Prefix + permission;

    public static AuthorizationBuilder AddApiPermissionPolicies(this AuthorizationBuilder builder)
    {
        foreach (var permission in ApiPermissions.All)
        {
            builder.AddPolicy(For(permission), policy => policy
                .AddAuthenticationSchemes(AuthenticationSetup.ApiOrCookieScheme)
                .RequireAuthenticatedUser()
                .AddRequirements(new ApiPermissionRequirement(permission)));
        }
        return builder;
    }
}
