using System.Net;

namespace RotationDashboard.Auth0;

/// <summary>What a token request says about a credential.</summary>
public enum TokenCheckOutcome
{
    /// <summary>Auth0 issued a token.</summary>
    Valid,

    /// <summary>401 (<c>access_denied</c> / <c>invalid_client</c>): wrong, unknown or rotated-out credential. Fall back to NEXT.</summary>
    InvalidCredential,

    /// <summary>403: the credential authenticated but lacks a grant, scope or audience. The credential itself is valid.</summary>
    AuthenticatedNotAuthorized,

    /// <summary>429, 408, 5xx, timeout or network error: try again later with the same credential.</summary>
    Transient,

    /// <summary>Any other answer (400 and the like): a malformed request, not a verdict on the credential.</summary>
    Rejected,
}

/// <summary>
/// The classified outcome of a token request, with Auth0's <c>error</c> and <c>error_description</c>
/// (scrubbed of the credential) and the rate-limit headers. Never holds a secret or a token.
/// </summary>
public sealed record TokenCheckResult(
    TokenCheckOutcome Outcome,
    HttpStatusCode? StatusCode,
    string? Error,
    string? ErrorDescription,
    Auth0RateLimit? RateLimit = null)
{
    /// <summary>Valid or authenticated-but-not-authorized: Auth0 accepted the credential.</summary>
    public bool CredentialAccepted => Outcome is TokenCheckOutcome.Valid or TokenCheckOutcome.AuthenticatedNotAuthorized;

    /// <summary>
    /// Classifies a <c>/oauth/token</c> answer (reference §6): 2xx Valid; 401 InvalidCredential (any 401 but
    /// <c>mfa_required</c>, since Auth0 has no documented code for a bad assertion); 403 AuthenticatedNotAuthorized;
    /// 408/429/5xx Transient; everything else Rejected.
    /// </summary>
    public static TokenCheckOutcome Classify(HttpStatusCode status, string? error)
    {
        var code = (int)status;
        return code switch
        {
            >= 200 and < 300 => TokenCheckOutcome.Valid,
            401 when error != "mfa_required" => TokenCheckOutcome.InvalidCredential,
            403 => TokenCheckOutcome.AuthenticatedNotAuthorized,
            408 or 429 or >= 500 => TokenCheckOutcome.Transient,
            _ => TokenCheckOutcome.Rejected,
        };
    }

    public override string ToString()
    {
        var text = $"{Outcome}";
        if (StatusCode is { } status)
            text += $" ({(int)status})";
        if (Error is not null)
            text += $" {Error}";
        if (ErrorDescription is not null)
            text += $": {ErrorDescription}";
        return text;
    }
}

/// <summary>A token response: the classification plus, when Valid, the token (never printed).</summary>
public sealed record Auth0TokenResult(
    TokenCheckResult Check,
    string? AccessToken = null,
    TimeSpan? ExpiresIn = null,
    IReadOnlySet<string>? Scopes = null)
{
    public TokenCheckOutcome Outcome => Check.Outcome;

    public override string ToString() =>
        $"Auth0TokenResult {{ {Check}, ExpiresIn = {ExpiresIn}, Scopes = {(Scopes is null ? "" : string.Join(' ', Scopes))}, " +
        $"AccessToken = {(AccessToken is null ? "(none)" : "***")} }}";
}
