using System.Net;

namespace RotationDashboard.Auth0;

/// <summary>
/// An Auth0 call that failed: an error status, or no answer after the retry budget. Carries Auth0's error fields
/// and rate-limit headers and the request's method and path (never its query string, body, a token or a secret).
/// </summary>
public sealed class Auth0ApiException : Exception
{
    public Auth0ApiException(
        string message,
        string method,
        string path,
        HttpStatusCode? statusCode = null,
        string? error = null,
        string? errorCode = null,
        string? apiMessage = null,
        Auth0RateLimit? rateLimit = null,
        bool isTransient = false,
        int attempts = 1,
        TimeSpan elapsed = default,
        Exception? innerException = null)
        : base(message, innerException)
    {
        Method = method;
        Path = path;
        StatusCode = statusCode;
        Error = error;
        ErrorCode = errorCode;
        ApiMessage = apiMessage;
        RateLimit = rateLimit;
        IsTransient = isTransient;
        Attempts = attempts;
        Elapsed = elapsed;
    }

    /// <summary>The HTTP status, or null when no response arrived (network error, timeout).</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary><c>error</c>: "Not Found" on the Management API, <c>access_denied</c> on the Authentication API.</summary>
    public string? Error { get; }

    /// <summary>The Management API's <c>errorCode</c>, e.g. <c>inexistent_client</c>, <c>insufficient_scope</c>.</summary>
    public string? ErrorCode { get; }

    /// <summary>Auth0's own text: <c>message</c> (Management API) or <c>error_description</c> (Authentication API).</summary>
    public string? ApiMessage { get; }

    public Auth0RateLimit? RateLimit { get; }

    /// <summary>True for 408, 429, 5xx, timeouts and network errors: trying again later may succeed.</summary>
    public bool IsTransient { get; }

    public string Method { get; }

    /// <summary>The request path without its query string, e.g. <c>/api/v2/clients/abc</c>.</summary>
    public string Path { get; }

    /// <summary>HTTP attempts made, including retries.</summary>
    public int Attempts { get; }

    /// <summary>Time from the first attempt to giving up.</summary>
    public TimeSpan Elapsed { get; }

    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    public bool IsRateLimited => StatusCode == HttpStatusCode.TooManyRequests;

    /// <summary>The Management API token lacks a scope the call needs.</summary>
    public bool IsInsufficientScope =>
        StatusCode == HttpStatusCode.Forbidden &&
        string.Equals(ErrorCode, "insufficient_scope", StringComparison.Ordinal);
}
