using Microsoft.AspNetCore.Mvc;
using System.ComponentModel;
using System.Text.Json.Serialization;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.MachineIdentities;

namespace RotationDashboard.Web.Api.Infisical;

/// <summary>
/// Managing machine identities: <c>/api/v1/identities</c> (create, list, get, revoke) and their Universal Auth client
/// secrets at upstream's <c>/api/v1/auth/universal-auth/identities/{identityId}/client-secrets</c>. An Admin's signed-in
/// session only: no token is an admin, so no token can mint credentials.
/// </summary>
public static class MachineIdentityEndpoints
{
    public const string IdentitiesPath = "/api/v1/identities";
    public const string ClientSecretsPath = "/api/v1/auth/universal-auth/identities/{id:guid}/client-secrets";

    public static IEndpointRouteBuilder MapMachineIdentityApi(this IEndpointRouteBuilder endpoints)
    {
        var identities = endpoints.MapApiGroup(IdentitiesPath).WithTags("Machine identities").RequireAdminSession();
        identities.MapGet("", async (MachineIdentityService service, CancellationToken cancellationToken) =>
                ApiResults.Ok(new MachineIdentityListResponse((await service.ListAsync(cancellationToken)).Select(MachineIdentityDto.From).ToList())))
            .WithName("ListMachineIdentities")
            .WithSummary("List machine identities")
            .WithDescription("An Admin's session only. Never shows a client secret's value or hash.")
            .Produces<MachineIdentityListResponse>();

        identities.MapPost("", async ([FromBody] CreateMachineIdentityRequest request, HttpContext context, MachineIdentityService service, CancellationToken cancellationToken) =>
            {
                var scopes = (request.Scopes ?? []).Select(s => new ApiTokenScope(s.Permission ?? string.Empty, s.ProjectId, s.Environment, s.SecretPath)).ToList();
                var created = await service.CreateAsync(request.Name ?? string.Empty, scopes, request.AccessTokenTtl, request.AccessTokenMaxTtl,
                    DashboardUser.FromPrincipal(context.User), cancellationToken);
                return ApiResults.FromOperationResult(created, view => new MachineIdentityResponse(MachineIdentityDto.From(view)));
            })
            .WithName("CreateMachineIdentity")
            .WithSummary("Create a machine identity")
            .WithDescription("Body {name, scopes:[{permission, projectId?, environment?, secretPath?}], accessTokenTTL?, accessTokenMaxTTL?}: scopes " +
                             "as for API tokens (secrets:read limited to a project, environment and path is the usual one), TTLs in seconds " +
                             $"(defaults {MachineIdentity.DefaultAccessTokenTtlSeconds} and {MachineIdentity.DefaultAccessTokenMaxTtlSeconds}; at most " +
                             $"{MachineIdentity.MaxAccessTokenTtlSeconds} and {MachineIdentity.MaxAccessTokenMaxTtlSeconds}). Then create a client secret " +
                             "for it. An Admin's session only; audited.")
            .Accepts<CreateMachineIdentityRequest>("application/json")
            .Produces<MachineIdentityResponse>()
            .ProducesValidationProblem();

        identities.MapGet("/{id:guid}", async (Guid id, MachineIdentityService service, CancellationToken cancellationToken) =>
                await service.GetAsync(id, cancellationToken) is { } view
                    ? ApiResults.Ok(new MachineIdentityResponse(MachineIdentityDto.From(view)))
                    : ApiResults.NotFound("The machine identity does not exist."))
            .WithName("GetMachineIdentity")
            .WithSummary("Get a machine identity")
            .Produces<MachineIdentityResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        identities.MapDelete("/{id:guid}", async (Guid id, HttpContext context, MachineIdentityService service, CancellationToken cancellationToken) =>
            {
                var revoked = await service.RevokeAsync(id, DashboardUser.FromPrincipal(context.User), cancellationToken);
                return revoked.Succeeded && await service.GetAsync(id, cancellationToken) is { } view
                    ? ApiResults.Ok(new MachineIdentityResponse(MachineIdentityDto.From(view)))
                    : ApiResults.FromFailure(revoked.Failure ?? Core.Common.OperationResult.NotFound("The machine identity does not exist.").Failure!);
            })
            .WithName("RevokeMachineIdentity")
            .WithSummary("Revoke a machine identity")
            .WithDescription("Revokes the identity, its client secrets and its access tokens at once (kept for the audit trail, never usable again). " +
                             "An Admin's session only; audited.")
            .Produces<MachineIdentityResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        var secrets = endpoints.MapApiGroup(ClientSecretsPath).WithTags("Machine identities").RequireAdminSession();
        secrets.MapGet("", async (Guid id, MachineIdentityService service, CancellationToken cancellationToken) =>
                await service.GetAsync(id, cancellationToken) is { } view
                    ? ApiResults.Ok(new ClientSecretListResponse(view.ClientSecrets.Select(ClientSecretDto.From).ToList()))
                    : ApiResults.NotFound("The machine identity does not exist."))
            .WithName("ListClientSecrets")
            .WithSummary("List a machine identity's client secrets (never their values)")
            .Produces<ClientSecretListResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        secrets.MapPost("", async (Guid id, [FromBody] CreateClientSecretRequest body, HttpContext context, MachineIdentityService service, CancellationToken cancellationToken) =>
            {
                var created = await service.CreateClientSecretAsync(id, body.Description, body.Ttl, DashboardUser.FromPrincipal(context.User),
                    cancellationToken);
                if (!created.Succeeded)
                {
                    return ApiResults.FromFailure(created.Failure!);
                }

                context.Response.Headers.CacheControl = "no-store";
                var (issued, identity) = created.Value;
                var data = ClientSecretDto.From(identity.ClientSecrets.Single(s => s.Id == issued.Secret.Id));
                return ApiResults.Ok(new CreateClientSecretResponse(issued.Value, identity.ClientId, data));
            })
            .WithName("CreateClientSecret")
            .WithSummary("Create a client secret (shown once)")
            .WithDescription("Body {description?, ttl?} (ttl in seconds, 0 or absent: never expires). Answers {clientSecret, clientId, clientSecretData}: " +
                             "clientSecret is shown this once and stored hashed. An Admin's session only; audited.")
            .Accepts<CreateClientSecretRequest>("application/json")
            .Produces<CreateClientSecretResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        secrets.MapPost("/{clientSecretId:guid}/revoke", async (Guid id, Guid clientSecretId, HttpContext context, MachineIdentityService service,
                CancellationToken cancellationToken) =>
            {
                var revoked = await service.RevokeClientSecretAsync(id, clientSecretId, DashboardUser.FromPrincipal(context.User), cancellationToken);
                return ApiResults.FromOperationResult(revoked, view => new ClientSecretResponse(ClientSecretDto.From(view)));
            })
            .WithName("RevokeClientSecret")
            .WithSummary("Revoke a client secret")
            .WithDescription("The access tokens issued with it are revoked too. An Admin's session only; audited.")
            .Produces<ClientSecretResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }
}

public sealed record ScopeDto(
    [property: Description("rotations:read, rotations:write, rotations:reveal, connections:read, connections:write or secrets:read.")] string? Permission,
    Guid? ProjectId,
    [property: Description("Environment slug.")] string? Environment,
    [property: Description("Folder path: this path and everything below it.")] string? SecretPath)
{
    public static ScopeDto From(ApiTokenScope scope) => new(scope.Permission, scope.ProjectId, scope.Environment, scope.SecretPath);
}

public sealed record CreateMachineIdentityRequest(
    string? Name,
    IReadOnlyList<ScopeDto>? Scopes,
    [property: JsonPropertyName("accessTokenTTL")] int? AccessTokenTtl,
    [property: JsonPropertyName("accessTokenMaxTTL")] int? AccessTokenMaxTtl);

public sealed record CreateClientSecretRequest(string? Description, [property: Description("Seconds; 0 or absent never expires.")] int? Ttl);

public sealed record MachineIdentityDto(
    Guid Id,
    string Name,
    [property: Description("The client id Universal Auth logs in with.")] string ClientId,
    IReadOnlyList<ScopeDto> Scopes,
    [property: JsonPropertyName("accessTokenTTL")] int AccessTokenTtl,
    [property: JsonPropertyName("accessTokenMaxTTL")] int AccessTokenMaxTtl,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt,
    bool IsActive)
{
    public static MachineIdentityDto From(MachineIdentityView v) =>
        new(v.Id, v.Name, v.ClientId, v.Scopes.Select(ScopeDto.From).ToList(), v.AccessTokenTtlSeconds, v.AccessTokenMaxTtlSeconds, v.CreatedBy,
            v.CreatedAt, v.RevokedAt, v.RevokedAt is null);
}

public sealed record ClientSecretDto(
    Guid Id,
    [property: Description("The identity's id.")] Guid IdentityId,
    [property: Description("The first characters of the secret, to recognise it.")] string ClientSecretPrefix,
    string Description,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    bool IsClientSecretRevoked)
{
    public static ClientSecretDto From(ClientSecretView v) =>
        new(v.Id, v.IdentityId, v.Prefix, v.Description, v.CreatedBy, v.CreatedAt, v.ExpiresAt, v.LastUsedAt, v.RevokedAt is not null);
}

public sealed record MachineIdentityListResponse(IReadOnlyList<MachineIdentityDto> Identities);

public sealed record MachineIdentityResponse(MachineIdentityDto Identity);

public sealed record ClientSecretListResponse(IReadOnlyList<ClientSecretDto> ClientSecretData);

public sealed record ClientSecretResponse(ClientSecretDto ClientSecretData);

/// <summary>The one answer that carries a client secret's value. <see cref="ToString"/> hides it.</summary>
public sealed record CreateClientSecretResponse(
    [property: Description("Shown once: store it now.")] string ClientSecret,
    string ClientId,
    ClientSecretDto ClientSecretData)
{
    public override string ToString() => $"CreateClientSecretResponse {{ ClientId = {ClientId}, ClientSecret = [redacted] }}";
}
