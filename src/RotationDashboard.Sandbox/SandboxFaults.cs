namespace RotationDashboard.Sandbox;

/// <summary>Which endpoints the random faults (latency, 5xx, timeouts) apply to.</summary>
[Flags]
public enum SandboxFaultTargets
{
    None = 0,
    Token = 1,
    Management = 2,
    All = Token | Management,
}

/// <summary>Faults injected into the tenant's responses, switchable at run time.</summary>
public sealed record SandboxFaults
{
    public static SandboxFaults None { get; } = new();

    /// <summary>Added before every targeted response.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Fraction (0..1) of targeted requests answered with <see cref="ErrorStatusCode"/>.</summary>
    public double ErrorRate { get; init; }

    public int ErrorStatusCode { get; init; } = 503;

    /// <summary>Fraction (0..1) of targeted requests that hang for <see cref="TimeoutDelay"/> (or until the caller gives up), then get a 504.</summary>
    public double TimeoutRate { get; init; }

    public TimeSpan TimeoutDelay { get; init; } = TimeSpan.FromSeconds(100);

    public SandboxFaultTargets Targets { get; init; } = SandboxFaultTargets.All;

    /// <summary>
    /// Scripted failures of specific calls to /oauth/token or the Management API, whatever <see cref="Targets"/> says;
    /// the first matching rule wins.
    /// </summary>
    public IReadOnlyList<SandboxFailureRule> Failures { get; init; } = [];

    public bool IsEmpty => Latency <= TimeSpan.Zero && ErrorRate <= 0 && TimeoutRate <= 0 && Failures.Count == 0;
}

/// <summary>
/// Fail the next <paramref name="Times"/> calls matching <paramref name="Method"/> (or <c>*</c>) and
/// <paramref name="PathPattern"/> with <paramref name="StatusCode"/>.
/// </summary>
/// <param name="PathPattern">
/// Path relative to the tenant base, e.g. <c>/oauth/token</c> or <c>/api/v2/clients/*/rotate-secret</c>;
/// <c>*</c> matches within one segment, <c>**</c> across segments.
/// </param>
/// <param name="Body">Response body; sent as JSON when it parses as JSON. Null: an Auth0-shaped error body.</param>
public sealed record SandboxFailureRule(string Method, string PathPattern, int StatusCode, string? Body = null, int Times = 1);

/// <summary>
/// A defect the next ID token of the authorization-code flow carries, so a relying party's refusal of it can be tested.
/// </summary>
public enum SandboxIdTokenDefect
{
    None,

    /// <summary>Signed with another key under the tenant key's kid, as a forger would.</summary>
    WrongSignature,

    /// <summary>Issued for another application's client_id.</summary>
    WrongAudience,

    /// <summary>Carries a nonce other than the one sent to /authorize (a replayed or injected token).</summary>
    WrongNonce,

    /// <summary>Expired an hour ago.</summary>
    Expired,
}
