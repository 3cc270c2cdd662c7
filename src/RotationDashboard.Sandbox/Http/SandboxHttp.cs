using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using RotationDashboard.Sandbox.Internal;

namespace RotationDashboard.Sandbox.Http;

/// <summary>Where the tenant is mounted, and the URLs derived from the incoming request (so any host and port work).</summary>
internal sealed class TenantMount(string prefix)
{
    /// <summary>"" for the root, otherwise "/segment" without a trailing slash.</summary>
    public string Prefix { get; } = Normalize(prefix);

    public static string Normalize(string prefix)
    {
        var trimmed = prefix.Trim().Trim('/');
        return trimmed.Length == 0 ? "" : "/" + trimmed;
    }

    /// <summary>The tenant base URL with its trailing slash: the issuer and the client-assertion audience.</summary>
    public string BaseUrl(HttpRequest request) =>
        $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}{Prefix}/";

    /// <summary>The request path below the tenant prefix, e.g. <c>/api/v2/clients</c>.</summary>
    public string RelativePath(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        return Prefix.Length > 0 && path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? path[Prefix.Length..] : path;
    }
}

internal static class SandboxHttp
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IResult JsonNode(JsonNode node, int statusCode = 200) =>
        Results.Text(node.ToJsonString(), "application/json; charset=utf-8", Encoding.UTF8, statusCode);

    public static IResult ManagementError(int statusCode, string message, string? errorCode)
    {
        var body = new JsonObject
        {
            ["statusCode"] = statusCode,
            ["error"] = ReasonPhrases.GetReasonPhrase(statusCode),
            ["message"] = message,
        };
        if (errorCode is not null)
            body["errorCode"] = errorCode;
        else if (statusCode == 401 && message != "Missing authentication")
            body["attributes"] = new JsonObject { ["error"] = message };
        return JsonNode(body, statusCode);
    }

    public static IResult OAuthError(int statusCode, string error, string description) =>
        JsonNode(new JsonObject { ["error"] = error, ["error_description"] = description }, statusCode);

    /// <summary>
    /// Headers a reverse proxy adds, and the one ASP.NET Core's forwarded-headers middleware leaves after it replaced the
    /// remote address: behind a proxy the connection's address says nothing about who is calling.
    /// </summary>
    private static readonly string[] ForwardingHeaders = ["X-Forwarded-For", "Forwarded", "X-Original-For", "X-Real-IP"];

    /// <summary>
    /// A caller on this machine, connected directly: the connection's remote address is loopback and no proxy took part.
    /// An unknown remote address is not loopback.
    /// </summary>
    public static bool IsDirectLoopback(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address) &&
        !ForwardingHeaders.Any(header => context.Request.Headers.ContainsKey(header));

    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }

    /// <summary>
    /// Applies the fault decision for this request. Returns the response to send instead of the real one,
    /// or null to carry on.
    /// </summary>
    public static async Task<IResult?> ApplyFaultsAsync(HttpContext context, SandboxTenant tenant, TenantMount mount, SandboxFaultTargets target, bool managementShape)
    {
        var path = mount.RelativePath(context.Request);
        var decision = tenant.FaultInjector.Decide(target, context.Request.Method, path);
        if (decision == FaultDecision.Pass)
            return null;

        var logger = context.RequestServices.GetLogger();
        try
        {
            if (decision.Latency > TimeSpan.Zero)
                await Task.Delay(decision.Latency, tenant.TimeProvider, context.RequestAborted);
            if (decision.Action == FaultAction.None)
                return null;

            Log.FaultInjected(logger, decision.Action.ToString(), decision.StatusCode, context.Request.Method, path);
            if (decision.Action == FaultAction.Timeout)
                await Task.Delay(tenant.FaultInjector.TimeoutDelay, tenant.TimeProvider, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller gave up; there is nobody left to answer.
            return Results.Empty;
        }

        if (decision.Body is { } body)
        {
            var isJson = IsJson(body);
            return Results.Text(body, isJson ? "application/json; charset=utf-8" : "text/plain; charset=utf-8", Encoding.UTF8, decision.StatusCode);
        }

        if (decision.StatusCode == 429)
            context.Response.Headers.RetryAfter = "1";
        return managementShape ? DefaultManagementFault(decision.StatusCode) : DefaultTokenFault(decision.StatusCode);
    }

    private static IResult DefaultManagementFault(int statusCode) => statusCode switch
    {
        429 => ManagementError(429, "Global limit has been reached", "too_many_requests"),
        401 => ManagementError(401, "Invalid token", null),
        404 => ManagementError(404, "The client does not exist", "inexistent_client"),
        _ => ManagementError(statusCode, "Injected fault (sandbox tenant)", "sandbox_injected_fault"),
    };

    private static IResult DefaultTokenFault(int statusCode) => statusCode switch
    {
        401 => OAuthError(401, "access_denied", "Unauthorized"),
        403 => OAuthError(403, "access_denied", "Injected fault (sandbox tenant)"),
        429 => OAuthError(429, "too_many_requests",
            "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers."),
        >= 500 => OAuthError(statusCode, "server_error", "Injected fault (sandbox tenant)"),
        _ => OAuthError(statusCode, "invalid_request", "Injected fault (sandbox tenant)"),
    };

    private static bool IsJson(string body)
    {
        try
        {
            using var _ = JsonDocument.Parse(body);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static ILogger GetLogger(this IServiceProvider services) =>
        services.GetService(typeof(ILoggerFactory)) is ILoggerFactory factory
            ? factory.CreateLogger("RotationDashboard.Sandbox.Http")
            : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
}
