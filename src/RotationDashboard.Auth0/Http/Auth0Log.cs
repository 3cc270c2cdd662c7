using System.Net;
using Microsoft.Extensions.Logging;

namespace RotationDashboard.Auth0.Http;

/// <summary>Structured log messages. Only methods, paths, statuses and timings: never a token or a secret.</summary>
internal static partial class Auth0Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug,
        Message = "Auth0 {Method} {Path} answered {StatusCode} in {ElapsedMs} ms (attempt {Attempt})")]
    public static partial void Response(ILogger logger, string method, string path, int statusCode, long elapsedMs, int attempt);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "Auth0 {Method} {Path} failed with {Failure} on attempt {Attempt}; retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string method, string path, string failure, int attempt, long delayMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "Auth0 tenant {Tenant} asked to slow down: holding its {Api} requests for {DelayMs} ms ({RateLimit})")]
    public static partial void TenantPaused(ILogger logger, string tenant, string api, long delayMs, string rateLimit);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information,
        Message = "Obtained an Auth0 Management API token for client {ClientId} at {Tenant} (audience {Audience}), valid {ExpiresInSeconds} s, scopes: {Scopes}")]
    public static partial void TokenObtained(ILogger logger, string clientId, string tenant, string audience, long expiresInSeconds, string scopes);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information,
        Message = "Auth0 rejected the cached Management API token for client {ClientId} at {Tenant} ({StatusCode}); requesting a new one")]
    public static partial void TokenRejected(ILogger logger, string clientId, string tenant, int statusCode);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information,
        Message = "Auth0 token check for client {ClientId} at {Tenant} with {Method}: {Outcome} {StatusCode} {Error}")]
    public static partial void TokenCheck(ILogger logger, string clientId, string tenant, string method, string outcome, int? statusCode, string? error);

    public static string Describe(HttpStatusCode status) => $"{(int)status} {status}";
}
