namespace RotationDashboard.Client;

/// <summary>
/// Getting an access token failed. Carries Auth0's status, <c>error</c> and <c>error_description</c>; never a secret,
/// an assertion or a token.
/// </summary>
public sealed class Auth0TokenException : Exception
{
    public Auth0TokenException(string message, int? statusCode = null, string? error = null, string? errorDescription = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Error = error;
        ErrorDescription = errorDescription;
    }

    /// <summary>The HTTP status of the last answer; null after a timeout or a network error.</summary>
    public int? StatusCode { get; }

    /// <summary>Auth0's <c>error</c>, e.g. <c>access_denied</c>.</summary>
    public string? Error { get; }

    /// <summary>Auth0's <c>error_description</c>.</summary>
    public string? ErrorDescription { get; }

    /// <summary>Auth0 rejected every credential offered (401): the credentials are wrong or rotated out.</summary>
    public bool IsCredentialRejected { get; init; }

    /// <summary>The client the request was for (not secret).</summary>
    public string? ClientId { get; init; }

    /// <summary>For a 429 that was not retried: how long Auth0 asked to wait.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>True for failures worth retrying later (429, 5xx, timeouts, network errors).</summary>
    public bool IsTransient => StatusCode is null or 408 or 429 or >= 500;
}

/// <summary>Reading credentials from the Rotation Dashboard failed. Never carries the API token or a secret value.</summary>
public sealed class DashboardCredentialException : Exception
{
    public DashboardCredentialException(string message, int? statusCode = null, string? secretKey = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        SecretKey = secretKey;
    }

    /// <summary>The dashboard's HTTP status; null for a timeout, a network error or an unusable body.</summary>
    public int? StatusCode { get; }

    /// <summary>The secret name being read.</summary>
    public string? SecretKey { get; }
}
