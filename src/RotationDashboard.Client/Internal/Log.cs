using Microsoft.Extensions.Logging;

namespace RotationDashboard.Client.Internal;

// Structured log messages. Credentials appear only through Auth0Credential.ToString (kind, client id, kid, version):
// never a secret, a private key, an assertion, an access token or the dashboard API token.
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Got an access token for client {ClientId} and audience {Audience}, valid until {ExpiresAt}")]
    public static partial void TokenIssued(ILogger logger, string clientId, string audience, DateTimeOffset expiresAt);

    [LoggerMessage(2, LogLevel.Warning,
        "Auth0 rejected the CURRENT credential ({Credential}): {StatusCode} {Error}; falling back to the NEXT credential ({NextCredential})")]
    public static partial void FallingBackToNext(ILogger logger, string credential, int statusCode, string? error, string nextCredential);

    [LoggerMessage(3, LogLevel.Information, "Promoted the NEXT credential ({Credential}) to CURRENT after Auth0 accepted it")]
    public static partial void PromotedNext(ILogger logger, string credential);

    [LoggerMessage(4, LogLevel.Warning, "Auth0 rejected every credential offered ({Credential}): {StatusCode} {Error}; asking the credential source for newer ones")]
    public static partial void AllCredentialsRejected(ILogger logger, string credential, int statusCode, string? error);

    [LoggerMessage(5, LogLevel.Information, "Trying the refreshed {Slot} credential ({Credential})")]
    public static partial void TryingRefreshedCredential(ILogger logger, string slot, string credential);

    [LoggerMessage(6, LogLevel.Warning, "Token request for client {ClientId} failed ({Reason}); retry {Retry} of {MaxRetries} in {DelayMs} ms")]
    public static partial void RetryingTokenRequest(ILogger logger, string clientId, string reason, int retry, int maxRetries, long delayMs);

    [LoggerMessage(7, LogLevel.Warning, "Refreshing credentials after a rejection failed")]
    public static partial void CredentialRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(8, LogLevel.Error, "Token request for client {ClientId} failed: {StatusCode} {Error} {ErrorDescription}")]
    public static partial void TokenRequestFailed(ILogger logger, string clientId, int? statusCode, string? error, string? errorDescription);

    [LoggerMessage(20, LogLevel.Information, "Read credentials of client {ClientId} from the dashboard: CURRENT {CurrentVersion}, NEXT {NextVersion}")]
    public static partial void DashboardCredentialsChanged(ILogger logger, string clientId, string? currentVersion, string? nextVersion);

    [LoggerMessage(21, LogLevel.Warning, "Refreshing credentials from the dashboard failed ({Reason}); keeping the last known ones")]
    public static partial void DashboardRefreshFailed(ILogger logger, string reason, Exception exception);

    [LoggerMessage(22, LogLevel.Information,
        "The dashboard has no credential set for secret {Key} ({Reason}); reading the secrets one by one for the next {Minutes} minutes")]
    public static partial void DashboardCredentialSetUnavailable(ILogger logger, string key, string reason, double minutes);

    [LoggerMessage(30, LogLevel.Information, "The API answered 401 to {Method} {Path}; retrying once with a new access token")]
    public static partial void RetryingWithNewToken(ILogger logger, string method, string? path);
}
