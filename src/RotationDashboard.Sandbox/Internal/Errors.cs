namespace RotationDashboard.Sandbox.Internal;

/// <summary>A Management API refusal, rendered as <c>{"statusCode","error","message","errorCode"}</c>.</summary>
internal sealed class ManagementApiException(int statusCode, string message, string? errorCode) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string? ErrorCode { get; } = errorCode;

    public static ManagementApiException ClientNotFound() => new(404, "The client does not exist", "inexistent_client");
    public static ManagementApiException CredentialNotFound() => new(404, "The credential does not exist", "inexistent_credential");
    public static ManagementApiException InvalidBody(string detail) => new(400, $"Payload validation error: '{detail}'.", "invalid_body");
    public static ManagementApiException InvalidBodyOn(string detail, string property) =>
        new(400, $"Payload validation error: '{detail}' on property {property}.", "invalid_body");
    public static ManagementApiException InvalidQuery(string detail, string property) =>
        new(400, $"Query validation error: '{detail}' on property {property}.", "invalid_query_string");
    public static ManagementApiException InsufficientScope(IEnumerable<string> anyOf) =>
        new(403, "Insufficient scope, expected any of: " + string.Join(",", anyOf), "insufficient_scope");
}

/// <summary>An Authentication API refusal, rendered as <c>{"error","error_description"}</c>.</summary>
internal sealed class OAuthException(int statusCode, string error, string description) : Exception(description)
{
    public int StatusCode { get; } = statusCode;
    public string Error { get; } = error;

    /// <summary>Wrong, unknown or rotated-out credential: Auth0's long-standing answer.</summary>
    public static OAuthException Unauthorized() => new(401, "access_denied", "Unauthorized");
    public static OAuthException InvalidRequest(string description) => new(400, "invalid_request", description);
    public static OAuthException InvalidGrant(string description) => new(403, "invalid_grant", description);
}
