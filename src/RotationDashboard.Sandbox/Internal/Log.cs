using Microsoft.Extensions.Logging;

namespace RotationDashboard.Sandbox.Internal;

// Structured log messages. None of them takes a secret, a token or a key: only ids and reasons.
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Sandbox tenant started from {Source} with {ClientCount} clients")]
    public static partial void TenantStarted(ILogger logger, string source, int clientCount);

    [LoggerMessage(2, LogLevel.Information, "Sandbox tenant reset to its seed data")]
    public static partial void TenantReset(ILogger logger);

    [LoggerMessage(3, LogLevel.Error, "Could not save the sandbox state to {Path}")]
    public static partial void StateSaveFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(10, LogLevel.Information, "Issued a {GrantType} token to client {ClientId} for {Audience}")]
    public static partial void TokenIssued(ILogger logger, string grantType, string clientId, string audience);

    [LoggerMessage(11, LogLevel.Information, "Token request refused for client {ClientId}: {Reason}")]
    public static partial void TokenRefused(ILogger logger, string? clientId, string reason);

    [LoggerMessage(12, LogLevel.Information, "Client {ClientId} authenticated with a previous secret inside the propagation window")]
    public static partial void PreviousSecretAccepted(ILogger logger, string clientId);

    [LoggerMessage(20, LogLevel.Information, "Secret of client {ClientId} changed by {Cause}; the previous one stays valid for {PropagationWindow}")]
    public static partial void SecretChanged(ILogger logger, string clientId, string cause, TimeSpan propagationWindow);

    [LoggerMessage(21, LogLevel.Information, "Client {ClientId} updated ({Fields})")]
    public static partial void ClientUpdated(ILogger logger, string clientId, string fields);

    [LoggerMessage(22, LogLevel.Information, "Credential {CredentialId} ({Kid}) created on client {ClientId}")]
    public static partial void CredentialCreated(ILogger logger, string credentialId, string kid, string clientId);

    [LoggerMessage(23, LogLevel.Information, "Credential {CredentialId} deleted from client {ClientId}")]
    public static partial void CredentialDeleted(ILogger logger, string credentialId, string clientId);

    [LoggerMessage(24, LogLevel.Information, "Client {ClientId} ({Name}) created")]
    public static partial void ClientCreated(ILogger logger, string clientId, string name);

    [LoggerMessage(30, LogLevel.Warning, "Management API rate limit reached ({Limit} burst); answered 429, retry after {RetryAfterSeconds}s")]
    public static partial void RateLimited(ILogger logger, long limit, int retryAfterSeconds);

    [LoggerMessage(31, LogLevel.Information, "Injected fault {Action} ({StatusCode}) into {Method} {Path}")]
    public static partial void FaultInjected(ILogger logger, string action, int statusCode, string method, string path);

    [LoggerMessage(32, LogLevel.Information, "Sandbox settings changed: propagation window {PropagationWindow}, rate limit {RequestsPerSecond}/s burst {Burst}")]
    public static partial void SettingsChanged(ILogger logger, TimeSpan propagationWindow, double requestsPerSecond, int burst);

    [LoggerMessage(33, LogLevel.Information, "Sandbox faults changed: latency {Latency}, error rate {ErrorRate}, timeout rate {TimeoutRate}, {RuleCount} scripted failures")]
    public static partial void FaultsChanged(ILogger logger, TimeSpan latency, double errorRate, double timeoutRate, int ruleCount);

    [LoggerMessage(40, LogLevel.Information, "Sandbox user {Sub} signed in to client {ClientId}")]
    public static partial void UserSignedIn(ILogger logger, string sub, string clientId);

    [LoggerMessage(34, LogLevel.Information, "The next ID token will carry the defect {Defect}")]
    public static partial void IdTokenDefectArmed(ILogger logger, string defect);

    [LoggerMessage(35, LogLevel.Warning, "Issued a deliberately defective ID token ({Defect}) to client {ClientId}")]
    public static partial void DefectiveIdTokenIssued(ILogger logger, string defect, string clientId);

    [LoggerMessage(41, LogLevel.Information, "Management API call refused with {StatusCode} {ErrorCode}: {Message}")]
    public static partial void ManagementRefused(ILogger logger, int statusCode, string? errorCode, string message);
}
