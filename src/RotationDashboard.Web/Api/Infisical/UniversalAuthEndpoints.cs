using System.Threading.RateLimiting;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.MachineIdentities;

namespace RotationDashboard.Web.Api.Infisical;

/// <summary>
/// Infisical's Universal Auth: <c>POST /api/v1/auth/universal-auth/login</c> trades a machine identity's client id and
/// client secret for a short-lived access token, <c>POST /api/v1/auth/token/renew</c> extends one up to its max TTL.
/// Anonymous by nature (the body is the credential). Failed logins count towards the same per-address limit as failed
/// bearer tokens; past it every login from that address is a 429 without checking anything.
/// </summary>
public static class UniversalAuthEndpoints
{
    public const string LoginRoute = "/api/v1/auth/universal-auth/login";
    public const string RenewRoute = "/api/v1/auth/token/renew";

    private const string InvalidCredentials = "Invalid credentials";

    public static IEndpointRouteBuilder MapUniversalAuthApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/auth").WithTags("Universal Auth").AllowAnonymous().DisableAntiforgery().WithApiRequestSizeLimit();

        group.MapPost("/universal-auth/login", LoginAsync)
            .WithName("UniversalAuthLogin")
            .WithSummary("Log in with a machine identity's client id and client secret")
            .WithDescription("Body {clientId, clientSecret} (JSON). Answers {accessToken, expiresIn, accessTokenMaxTTL, tokenType: \"Bearer\"}; send the " +
                             "token as 'Authorization: Bearer <accessToken>' to the secrets read API. It acts with the identity's permissions. A wrong, " +
                             "revoked or expired client id or secret is a 401 (which part was wrong is not said); repeated failures from one address are a 429.")
            .WithJsonBodyDocumented<RouteHandlerBuilder, UniversalAuthLoginRequest>()
            .Produces<AccessTokenResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapPost("/token/renew", RenewAsync)
            .WithName("RenewAccessToken")
            .WithSummary("Renew a machine identity's access token")
            .WithDescription("Body {accessToken}. Extends the token by its identity's access token TTL, never past its max TTL counted from login; " +
                             "the token itself stays the same. Answers the login's shape. An unknown, revoked or expired token, or one at its max TTL, " +
                             "is a 400: log in again.")
            .WithJsonBodyDocumented<RouteHandlerBuilder, TokenRenewRequest>()
            .Produces<AccessTokenResponse>()
            .ProducesValidationProblem();
        return endpoints;
    }

    private static async Task<IResult> LoginAsync(
        HttpContext context,
        MachineIdentityService identities,
        FailedApiAuthenticationLimiter failedAuthentications,
        CancellationToken cancellationToken)
    {
        var address = HttpHardening.ClientAddress(context);
        if (failedAuthentications.Blocked(address) is { } blocked)
        {
            return new TooManyFailures(blocked);
        }

        var body = await ApiJson.ReadAsync<UniversalAuthLoginRequest>(context.Request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var request = body.Value!;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(request.ClientId))
        {
            errors["clientId"] = ["clientId is required."];
        }

        if (string.IsNullOrEmpty(request.ClientSecret))
        {
            errors["clientSecret"] = ["clientSecret is required."];
        }

        if (errors.Count > 0)
        {
            return ApiResults.ValidationProblem(errors);
        }

        var grant = await identities.LoginAsync(request.ClientId!.Trim(), request.ClientSecret!, cancellationToken);
        if (grant is null)
        {
            failedAuthentications.RecordFailure(address);
            return ApiResults.Problem(StatusCodes.Status401Unauthorized, "Unauthorized", InvalidCredentials);
        }

        context.Response.Headers.CacheControl = "no-store";
        return ApiResults.Ok(new AccessTokenResponse(grant.AccessToken, grant.ExpiresIn, grant.AccessTokenMaxTtl, "Bearer"));
    }

    private static async Task<IResult> RenewAsync(HttpContext context, MachineIdentityService identities, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<TokenRenewRequest>(context.Request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        if (string.IsNullOrWhiteSpace(body.Value!.AccessToken))
        {
            return ApiResults.ValidationProblem("accessToken", "accessToken is required.");
        }

        var renewed = await identities.RenewAsync(body.Value.AccessToken.Trim(), cancellationToken);
        if (!renewed.Succeeded)
        {
            return ApiResults.FromFailure(renewed.Failure!);
        }

        context.Response.Headers.CacheControl = "no-store";
        var grant = renewed.Value;
        return ApiResults.Ok(new AccessTokenResponse(grant.AccessToken, grant.ExpiresIn, grant.AccessTokenMaxTtl, "Bearer"));
    }

    /// <summary>
    /// Documents a JSON body without declaring it as the only accepted type: routing would answer any other type with
    /// a body-less 415 that the fallback authorization policy turns into a 401 on these anonymous routes, and the
    /// handler answers a clear 415 problem itself.
    /// </summary>
    private static TBuilder WithJsonBodyDocumented<TBuilder, TBody>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(TBody), null, cancellationToken);
            operation.RequestBody = new Microsoft.OpenApi.OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, Microsoft.OpenApi.OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        });

    /// <summary>The 429 the bearer pipeline answers for an address past its failed-authentication limit.</summary>
    private sealed class TooManyFailures(RateLimitLease lease) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            using (lease)
            {
                await HttpHardening.WriteTooManyRequestsAsync(httpContext, lease, "Too many failed logins from this address.");
            }
        }
    }
}
