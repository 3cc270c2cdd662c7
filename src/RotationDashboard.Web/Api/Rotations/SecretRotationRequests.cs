using System.ComponentModel;
using System.Text.Json.Serialization;

namespace RotationDashboard.Web.Api.Rotations;

// Request bodies: every member is nullable so that a missing field reaches validation (and gets a per-field
// message) instead of failing deserialization. Seed 002's fields come first, ours after.

/// <summary>
/// <c>POST /api/v2/secret-rotations/{type}</c>: seed 002's body, plus our optional <c>strategy</c>, timings and
/// <c>switchToPrivateKeyJwt</c>.
/// </summary>
public sealed class CreateSecretRotationRequest
{
    [Description("Slug: lowercase letters, digits and single hyphens, 1-64 characters; unique in the folder.")]
    public string? Name { get; init; }

    public Guid? ProjectId { get; init; }

    [Description("At most 256 characters.")]
    public string? Description { get; init; }

    [Description("An Auth0 connection (GET /api/v1/app-connections/auth0).")]
    public Guid? ConnectionId { get; init; }

    [Description("Environment slug, e.g. dev.")]
    public string? Environment { get; init; }

    [Description("Folder path, e.g. / or /payments; the folder must exist. Default /.")]
    public string? SecretPath { get; init; }

    [Description("Default true (as in Hanzo KMS).")]
    public bool? IsAutoRotationEnabled { get; init; }

    [Description("Days between rotations, 1-365.")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public int? RotationInterval { get; init; }

    /// <summary>UTC time of day the rotation runs at; default 00:00.</summary>
    public RotateAtUtcInput? RotateAtUtc { get; init; }

    public RotationParametersInput? Parameters { get; init; }

    /// <summary>Secret names: clientId and clientSecret (auth0-client-secret); clientId, privateKey and keyId (auth0-private-key-jwt).</summary>
    public SecretsMappingInput? SecretsMapping { get; init; }

    [Description("Optional; must match the type in the path.")]
    public string? Type { get; init; }

    [Description("auth0-client-secret: single-phase (the default when left out, Hanzo KMS's behaviour) or staged; " +
                 "auth0-private-key-jwt: private-key-jwt.")]
    public string? Strategy { get; init; }

    [Description("Staged: seconds NEXT is published before Auth0 switches (default 300, at most 7 days).")]
    public int? StagedLeadTimeSeconds { get; init; }

    [Description("Private Key JWT: seconds the previous key stays valid after the switch (default 3600, at most 30 days).")]
    public int? RetireGracePeriodSeconds { get; init; }

    [Description("Private Key JWT: register each new key in Auth0 as a self-signed X.509 certificate, which Auth0 stops accepting " +
                 "when it expires (two rotation intervals plus the grace period, at least 30 days). Default false.")]
    public bool? UseSelfSignedCertificate { get; init; }

    [Description("Private Key JWT on an application that uses a client secret today: switch it (its secret stops working).")]
    public bool? SwitchToPrivateKeyJwt { get; init; }
}

/// <summary>
/// <c>PATCH /api/v2/secret-rotations/{type}/{rotationId}</c>: any member may be left out (kept). Connection,
/// project, environment and path cannot change; sending them with another value is a 400.
/// </summary>
public sealed class UpdateSecretRotationRequest
{
    private readonly string? _description;

    public string? Name { get; init; }

    [Description("null or an empty string clears it.")]
    public string? Description
    {
        get => _description;
        init
        {
            _description = value;
            DescriptionSent = true;
        }
    }

    /// <summary>True when the body had <c>description</c>, even as null (which clears it).</summary>
    [JsonIgnore]
    public bool DescriptionSent { get; private init; }

    public bool? IsAutoRotationEnabled { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public int? RotationInterval { get; init; }

    /// <summary>Either member may be left out (kept).</summary>
    public RotateAtUtcInput? RotateAtUtc { get; init; }

    public RotationParametersInput? Parameters { get; init; }

    /// <summary>Members left out keep their names; a new name renames the mapped secret.</summary>
    public SecretsMappingInput? SecretsMapping { get; init; }

    public string? Strategy { get; init; }

    public int? StagedLeadTimeSeconds { get; init; }

    public int? RetireGracePeriodSeconds { get; init; }

    public bool? UseSelfSignedCertificate { get; init; }

    [Description("Cannot change; accepted only with the current value.")]
    public Guid? ConnectionId { get; init; }

    [Description("Cannot change; accepted only with the current value.")]
    public Guid? ProjectId { get; init; }

    [Description("Cannot change; accepted only with the current value.")]
    public string? Environment { get; init; }

    [Description("Cannot change; accepted only with the current value.")]
    public string? SecretPath { get; init; }

    [Description("Cannot change; accepted only with the current value.")]
    public string? Type { get; init; }
}

public sealed class RotateAtUtcInput
{
    [Description("0-23")]
    public int? Hours { get; init; }

    [Description("0-59")]
    public int? Minutes { get; init; }
}

public sealed class RotationParametersInput
{
    [Description("The Auth0 application's client id.")]
    public string? ClientId { get; init; }
}

public sealed class SecretsMappingInput
{
    public string? ClientId { get; init; }

    public string? ClientSecret { get; init; }

    public string? PrivateKey { get; init; }

    public string? KeyId { get; init; }

    /// <summary>Optional second secret that holds the NEXT client secret during a staged rotation's overlap (empty otherwise).</summary>
    public string? ClientSecretNext { get; init; }

    /// <summary>Optional second secret that holds the NEXT private key during a key rotation's overlap (empty otherwise).</summary>
    public string? PrivateKeyNext { get; init; }

    /// <summary>The NEXT private key's key id, next to <see cref="PrivateKeyNext"/>.</summary>
    public string? KeyIdNext { get; init; }
}
