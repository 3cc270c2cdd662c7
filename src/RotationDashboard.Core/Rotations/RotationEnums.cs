namespace RotationDashboard.Core.Rotations;

/// <summary>What a rotation rotates. API slugs: <c>auth0-client-secret</c>, <c>auth0-private-key-jwt</c>.</summary>
public enum RotationType
{
    Auth0ClientSecret,
    Auth0PrivateKeyJwt,
}

/// <summary>How a rotation switches credentials (see design.md, "Rotation strategies").</summary>
public enum RotationStrategy
{
    /// <summary>Seed 002's behaviour: set the new secret in Auth0 and update the mapped secret; the old one dies at once.</summary>
    SinglePhase,

    /// <summary>Publish the new secret as NEXT, wait the lead time, switch Auth0, verify, promote.</summary>
    Staged,

    /// <summary>Two Private Key JWT credentials overlap in Auth0; the old one is retired after a grace period.</summary>
    PrivateKeyJwt,
}

/// <summary>Outcome of the last finished rotation attempt. API values: <c>success</c>, <c>failed</c>.</summary>
public enum RotationStatus
{
    Success,
    Failed,
}

public static class RotationSlugs
{
    public const string Auth0ClientSecret = "auth0-client-secret";
    public const string Auth0PrivateKeyJwt = "auth0-private-key-jwt";
    public const string Success = "success";
    public const string Failed = "failed";

    public static string ToSlug(this RotationType type) => type switch
    {
        RotationType.Auth0ClientSecret => Auth0ClientSecret,
        RotationType.Auth0PrivateKeyJwt => Auth0PrivateKeyJwt,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static string ToSlug(this RotationStatus status) => status switch
    {
        RotationStatus.Success => Success,
        RotationStatus.Failed => Failed,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static bool TryParseType(string? slug, out RotationType type)
    {
        switch (slug)
        {
            case Auth0ClientSecret:
                type = RotationType.Auth0ClientSecret;
                return true;
            case Auth0PrivateKeyJwt:
                type = RotationType.Auth0PrivateKeyJwt;
                return true;
            default:
                type = default;
                return false;
        }
    }

    public static RotationType ParseType(string slug) =>
        TryParseType(slug, out var type) ? type : throw new FormatException($"Unknown rotation type \"{slug}\".");

    public static bool TryParseStatus(string? slug, out RotationStatus status)
    {
        switch (slug)
        {
            case Success:
                status = RotationStatus.Success;
                return true;
            case Failed:
                status = RotationStatus.Failed;
                return true;
            default:
                status = default;
                return false;
        }
    }

    public static RotationStatus ParseStatus(string slug) =>
        TryParseStatus(slug, out var status) ? status : throw new FormatException($"Unknown rotation status \"{slug}\".");

    /// <summary>The strategies a type supports; the first is the default.</summary>
    public static IReadOnlyList<RotationStrategy> StrategiesFor(RotationType type) => type switch
    {
        RotationType.Auth0ClientSecret => [RotationStrategy.SinglePhase, RotationStrategy.Staged],
        RotationType.Auth0PrivateKeyJwt => [RotationStrategy.PrivateKeyJwt],
        _ => [],
    };

    public static RotationStrategy DefaultStrategyFor(RotationType type) => StrategiesFor(type)[0];
}
