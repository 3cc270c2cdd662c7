using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Sandbox.Internal;

namespace RotationDashboard.Sandbox.Http;

/// <summary>The Management API calls the dashboard uses, under /api/v2/.</summary>
internal static class ManagementEndpoints
{
    private static readonly string[] ReadClientScopes = ["read:clients", "read:client_keys", "read:client_credentials", "read:client_summary"];
    private static readonly string[] UpdateClientScopes = ["update:clients", "update:client_keys", "update:client_credentials", "update:client_token_vault_privileged_access"];

    public static void Map(RouteGroupBuilder tenantGroup, TenantMount mount)
    {
        var api = tenantGroup.MapGroup("/api/v2");
        api.AddEndpointFilter((invocation, next) => GuardAsync(invocation, next, mount));

        api.MapGet("/clients", ListClients);
        api.MapGet("/clients/{id}", GetClient);
        api.MapPatch("/clients/{id}", PatchClientAsync);
        api.MapPost("/clients/{id}/rotate-secret", RotateSecret);
        api.MapGet("/clients/{id}/credentials", ListCredentials);
        api.MapPost("/clients/{id}/credentials", CreateCredentialAsync);
        api.MapGet("/clients/{id}/credentials/{credentialId}", GetCredential);
        api.MapPatch("/clients/{id}/credentials/{credentialId}", PatchCredentialAsync);
        api.MapDelete("/clients/{id}/credentials/{credentialId}", DeleteCredential);
        api.Map("/{**rest}", () => SandboxHttp.ManagementError(404, "Not Found", null));
    }

    /// <summary>Everything in front of a Management API handler, in Auth0's order: rate limit, (faults), token, then the call.</summary>
    private static async ValueTask<object?> GuardAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next, TenantMount mount)
    {
        var context = invocation.HttpContext;
        var tenant = context.RequestServices.GetRequiredService<SandboxTenant>();
        var logger = context.RequestServices.GetLogger();

        var limit = tenant.TakeManagementToken();
        var headers = context.Response.Headers;
        headers["x-ratelimit-limit"] = limit.Limit.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining"] = limit.Remaining.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-reset"] = limit.ResetEpochSeconds.ToString(CultureInfo.InvariantCulture);
        if (!limit.Allowed)
        {
            headers.RetryAfter = limit.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            Log.RateLimited(logger, limit.Limit, limit.RetryAfterSeconds);
            return SandboxHttp.ManagementError(429, "Global limit has been reached", "too_many_requests");
        }

        if (await SandboxHttp.ApplyFaultsAsync(context, tenant, mount, SandboxFaultTargets.Management, managementShape: true) is { } fault)
            return fault;

        try
        {
            var caller = await tenant.ValidateManagementTokenAsync(SandboxHttp.BearerToken(context.Request), mount.BaseUrl(context.Request));
            context.Items[typeof(ManagementCaller)] = caller;
            return await next(invocation);
        }
        catch (ManagementApiException exception)
        {
            Log.ManagementRefused(logger, exception.StatusCode, exception.ErrorCode, exception.Message);
            return SandboxHttp.ManagementError(exception.StatusCode, exception.Message, exception.ErrorCode);
        }
    }

    private static SandboxTenant Tenant(HttpContext context) => context.RequestServices.GetRequiredService<SandboxTenant>();

    private static ManagementCaller Caller(HttpContext context) => (ManagementCaller)context.Items[typeof(ManagementCaller)]!;

    private static ManagementCaller RequireAny(HttpContext context, params string[] scopes)
    {
        var caller = Caller(context);
        return caller.HasAny(scopes) ? caller : throw ManagementApiException.InsufficientScope(scopes);
    }

    private static ClientView ViewFor(ManagementCaller caller) =>
        (caller.HasAny("read:clients", "read:client_keys") ? ClientView.Settings : ClientView.Basic)
        | (caller.HasAny("read:client_keys", "read:client_credentials") ? ClientView.Keys : ClientView.Basic);

    private static IResult ListClients(HttpContext context)
    {
        var caller = RequireAny(context, ReadClientScopes);
        var query = ManagementRequests.ParseListQuery(context.Request.Query);
        return SandboxHttp.JsonNode(Tenant(context).ListClients(query, ViewFor(caller)));
    }

    private static IResult GetClient(HttpContext context, string id)
    {
        var caller = RequireAny(context, ReadClientScopes);
        var fields = ManagementRequests.ParseFields(context.Request.Query);
        return SandboxHttp.JsonNode(Tenant(context).GetClientJson(id, ViewFor(caller), fields));
    }

    private static async Task<IResult> PatchClientAsync(HttpContext context, string id)
    {
        var caller = RequireAny(context, UpdateClientScopes);
        var body = await ManagementRequests.ReadObjectAsync(context.Request, context.RequestAborted);
        var (patch, requiredScopes) = ManagementRequests.ParseClientPatch(body);
        foreach (var anyOf in requiredScopes.Where(anyOf => !caller.HasAny(anyOf)))
            throw ManagementApiException.InsufficientScope(anyOf);
        return SandboxHttp.JsonNode(Tenant(context).UpdateClient(id, patch));
    }

    private static IResult RotateSecret(HttpContext context, string id)
    {
        RequireAny(context, "update:client_keys");
        return SandboxHttp.JsonNode(Tenant(context).RotateSecret(id));
    }

    private static IResult ListCredentials(HttpContext context, string id)
    {
        RequireAny(context, "read:client_credentials");
        return SandboxHttp.JsonNode(Tenant(context).ListCredentials(id));
    }

    private static async Task<IResult> CreateCredentialAsync(HttpContext context, string id)
    {
        RequireAny(context, "create:client_credentials");
        var body = await ManagementRequests.ReadObjectAsync(context.Request, context.RequestAborted);
        var request = ManagementRequests.ParseCredentialCreate(body);
        return SandboxHttp.JsonNode(Tenant(context).CreateCredential(id, request), StatusCodes.Status201Created);
    }

    private static IResult GetCredential(HttpContext context, string id, string credentialId)
    {
        RequireAny(context, "read:client_credentials");
        return SandboxHttp.JsonNode(Tenant(context).GetCredential(id, credentialId));
    }

    private static async Task<IResult> PatchCredentialAsync(HttpContext context, string id, string credentialId)
    {
        RequireAny(context, "update:client_credentials");
        var body = await ManagementRequests.ReadObjectAsync(context.Request, context.RequestAborted);
        var (has, expiresAt) = ManagementRequests.ParseCredentialPatch(body);
        var tenant = Tenant(context);
        if (has && expiresAt is { } expiry && expiry <= tenant.TimeProvider.GetUtcNow())
            throw ManagementApiException.InvalidBodyOn("expires_at must be in the future", "expires_at");
        return SandboxHttp.JsonNode(has ? tenant.UpdateCredentialExpiry(id, credentialId, expiresAt) : tenant.GetCredential(id, credentialId));
    }

    private static IResult DeleteCredential(HttpContext context, string id, string credentialId)
    {
        RequireAny(context, "delete:client_credentials");
        Tenant(context).DeleteCredential(id, credentialId);
        return Results.NoContent();
    }
}
