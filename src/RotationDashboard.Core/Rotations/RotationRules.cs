using RotationDashboard.Core.Common;
using RotationDashboard.Core.Secrets;

namespace RotationDashboard.Core.Rotations;

/// <summary>
/// Validation of rotation settings, per field (API camelCase names), with Infisical's texts where it has them.
/// Database-dependent rules (name unique per folder, mapped secrets not already in the folder) belong to the
/// application service; their messages are here so every caller words them the same.
/// </summary>
public static class RotationRules
{
    public const int MaxNameLength = 64;
    public const int MaxDescriptionLength = 256;
    public const int MinIntervalDays = 1;
    public const int MaxIntervalDays = 365;
    public const int MaxClientIdLength = 128;
    public const int MaxMessageLength = 1024;

    public static readonly TimeSpan DefaultStagedLeadTime = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxStagedLeadTime = TimeSpan.FromDays(7);
    public static readonly TimeSpan DefaultRetireGracePeriod = TimeSpan.FromHours(1);
    public const int MaxApplicationNameLength = 256;
    public static readonly TimeSpan MaxRetireGracePeriod = TimeSpan.FromDays(30);

    public static ValidationErrors Validate(RotationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new ValidationErrors();
        ValidateName(settings.Name, errors);
        ValidateDescription(settings.Description, errors);
        if (!Enum.IsDefined(settings.Type))
        {
            errors.Add("type", $"Type must be \"{RotationSlugs.Auth0ClientSecret}\" or \"{RotationSlugs.Auth0PrivateKeyJwt}\".");
        }
        else
        {
            ValidateStrategy(settings.Type, settings.Strategy ?? RotationSlugs.DefaultStrategyFor(settings.Type), errors);
            ValidateSecretsMapping(settings.Type, settings.SecretsMapping, errors);
            if (settings.Strategy == RotationStrategy.SinglePhase && settings.SecretsMapping?.ClientSecretNext is not null)
            {
                errors.Add("secretsMapping.clientSecretNext", "A single-phase rotation has no overlap to publish NEXT in: choose the staged strategy, or leave it empty.");
            }
        }

        RequireId(settings.ConnectionId, "connectionId", "Connection is required.", errors);
        RequireId(settings.ProjectId, "projectId", "Project is required.", errors);
        RequireId(settings.EnvironmentId, "environment", "Environment is required.", errors);
        RequireId(settings.FolderId, "secretPath", "Secret path is required.", errors);
        ValidateInterval(settings.RotationInterval, errors);
        ValidateRotateAt(settings.RotateAtUtc, errors);
        ValidateParameters(settings.Parameters, errors);
        ValidateTimings(settings.StagedLeadTime, settings.RetireGracePeriod, errors);
        if (settings.UseSelfSignedCertificate && settings.Type != RotationType.Auth0PrivateKeyJwt)
        {
            errors.Add("useSelfSignedCertificate", "Only Private Key JWT rotations register their key as a certificate; leave it off.");
        }

        return errors;
    }

    public static void ValidateName(string? name, ValidationErrors errors) =>
        Slug.Validate(name, "name", "Name", errors, maxLength: MaxNameLength);

    public static void ValidateDescription(string? description, ValidationErrors errors)
    {
        if (description is not null && description.Trim().Length > MaxDescriptionLength)
        {
            errors.Add("description", $"Description must be at most {MaxDescriptionLength} characters.");
        }
    }

    public static void ValidateStrategy(RotationType type, RotationStrategy strategy, ValidationErrors errors)
    {
        if (!RotationSlugs.StrategiesFor(type).Contains(strategy))
        {
            errors.Add("strategy", $"The {strategy} strategy cannot be used with the \"{type.ToSlug()}\" type; use " +
                string.Join(" or ", RotationSlugs.StrategiesFor(type)) + ".");
        }
    }

    public static void ValidateInterval(int days, ValidationErrors errors)
    {
        if (days < MinIntervalDays)
        {
            errors.Add("rotationInterval", $"Rotation interval must be at least {MinIntervalDays} day.");
        }
        else if (days > MaxIntervalDays)
        {
            errors.Add("rotationInterval", $"Rotation interval must be at most {MaxIntervalDays} days.");
        }
    }

    public static void ValidateRotateAt(RotateAtUtc? rotateAt, ValidationErrors errors)
    {
        if (rotateAt is null)
        {
            errors.Add("rotateAtUtc", "Rotate-at time is required.");
            return;
        }

        if (rotateAt.Hours is < 0 or > 23)
        {
            errors.Add("rotateAtUtc.hours", "Hours must be between 0 and 23.");
        }

        if (rotateAt.Minutes is < 0 or > 59)
        {
            errors.Add("rotateAtUtc.minutes", "Minutes must be between 0 and 59.");
        }
    }

    public static void ValidateParameters(RotationParameters? parameters, ValidationErrors errors)
    {
        var clientId = parameters?.ClientId?.Trim() ?? string.Empty;
        if (clientId.Length == 0)
        {
            errors.Add("parameters.clientId", "Client ID Required");
        }
        else if (clientId.Length > MaxClientIdLength)
        {
            errors.Add("parameters.clientId", $"Client ID must be at most {MaxClientIdLength} characters.");
        }
        else if (!IsAuth0ClientId(clientId))
        {
            errors.Add("parameters.clientId", "Client ID must be an Auth0 application's client id: letters, digits, '-', '_' and '.' only.");
        }
    }

    /// <summary>
    /// Auth0 client ids are letters and digits (ours in the sandbox also use '-', '_', '.'). Anything else (spaces,
    /// control characters, '/', '?', a bare "." or "..") cannot name an application and would corrupt the Management API path.
    /// </summary>
    public static bool IsAuth0ClientId(string clientId) =>
        clientId.Length > 0
        && clientId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
        && clientId.Trim('.').Length > 0;

    public static void ValidateSecretsMapping(RotationType type, SecretsMapping? mapping, ValidationErrors errors)
    {
        if (mapping is null)
        {
            errors.Add("secretsMapping", "Secrets mapping is required.");
            return;
        }

        var used = type == RotationType.Auth0PrivateKeyJwt
            ? new[] { ("clientId", mapping.ClientId), ("privateKey", mapping.PrivateKey), ("keyId", mapping.KeyId) }
            : new[] { ("clientId", mapping.ClientId), ("clientSecret", mapping.ClientSecret) };
        var unused = type == RotationType.Auth0PrivateKeyJwt
            ? new[] { ("clientSecret", mapping.ClientSecret), ("clientSecretNext", mapping.ClientSecretNext) }
            : new[] { ("privateKey", mapping.PrivateKey), ("keyId", mapping.KeyId), ("privateKeyNext", mapping.PrivateKeyNext), ("keyIdNext", mapping.KeyIdNext) };
        // Optional second secrets for NEXT; a NEXT key id only makes sense next to the NEXT key it names.
        var optional = type == RotationType.Auth0PrivateKeyJwt
            ? new[] { ("privateKeyNext", mapping.PrivateKeyNext), ("keyIdNext", mapping.KeyIdNext) }
            : new[] { ("clientSecretNext", mapping.ClientSecretNext) };

        foreach (var (field, key) in used)
        {
            SecretKey.Validate(key, $"secretsMapping.{field}", errors);
        }

        foreach (var (field, key) in optional.Where(o => o.Item2 is not null))
        {
            SecretKey.Validate(key, $"secretsMapping.{field}", errors);
        }

        if (type == RotationType.Auth0PrivateKeyJwt && (mapping.PrivateKeyNext is null) != (mapping.KeyIdNext is null))
        {
            errors.Add(mapping.KeyIdNext is null ? "secretsMapping.keyIdNext" : "secretsMapping.privateKeyNext",
                "Name both privateKeyNext and keyIdNext, or neither: a NEXT key is only usable with its key id.");
        }

        used = [.. used, .. optional.Where(o => o.Item2 is not null)];

        foreach (var (field, key) in unused)
        {
            if (key is not null)
            {
                errors.Add($"secretsMapping.{field}", $"Not used by the \"{type.ToSlug()}\" type; leave it empty.");
            }
        }

        var keys = used.Select(u => u.Item2?.Trim()).OfType<string>().Where(k => k.Length > 0).ToList();
        if (keys.Distinct(StringComparer.Ordinal).Count() != keys.Count)
        {
            errors.Add("secretsMapping", DuplicateMappingMessage(keys));
        }
    }

    /// <summary>
    /// How long a key's self-signed certificate is valid: two rotation intervals plus the grace period (at least 30
    /// days), so one missed rotation does not lock consumers out, yet a rotation that stopped does not leave a key valid forever.
    /// </summary>
    public static TimeSpan CertificateValidity(int rotationIntervalDays, TimeSpan retireGracePeriod)
    {
        var validity = TimeSpan.FromDays(2 * Math.Max(1, rotationIntervalDays)) + retireGracePeriod;
        return validity < TimeSpan.FromDays(30) ? TimeSpan.FromDays(30) : validity;
    }

    public static void ValidateTimings(TimeSpan? stagedLeadTime, TimeSpan? retireGracePeriod, ValidationErrors errors)
    {
        ValidateDuration(stagedLeadTime, MaxStagedLeadTime, "stagedLeadTime", "Lead time", errors);
        ValidateDuration(retireGracePeriod, MaxRetireGracePeriod, "retireGracePeriod", "Grace period", errors);
    }

    /// <summary>Infisical's text for duplicate mapping names.</summary>
    public static string DuplicateMappingMessage(IEnumerable<string> keys) =>
        $"Secrets mapping keys must be unique. \"{string.Join(", ", keys)}\" contains duplicate keys.";

    /// <summary>Infisical's text for a name already used in the folder.</summary>
    public static string DuplicateNameMessage(string name, string secretPath) =>
        $"A Secret Rotation with the name \"{name}\" already exists at the secret path \"{secretPath}\"";

    /// <summary>Infisical's text for mapped secrets that already exist in the folder.</summary>
    public static string ConflictingSecretsMessage(string secretPath, IEnumerable<string> keys) =>
        $"The following secrets already exist at the path \"{secretPath}\": {string.Join(", ", keys)}";

    private static void ValidateDuration(TimeSpan? value, TimeSpan max, string field, string label, ValidationErrors errors)
    {
        if (value is not { } duration)
        {
            return;
        }

        if (duration < TimeSpan.Zero)
        {
            errors.Add(field, $"{label} cannot be negative.");
        }
        else if (duration > max)
        {
            errors.Add(field, $"{label} must be at most {max.TotalDays:0} days.");
        }
        else if (duration.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            errors.Add(field, $"{label} must be a whole number of seconds.");
        }
    }

    private static void RequireId(Guid id, string field, string message, ValidationErrors errors)
    {
        if (id == Guid.Empty)
        {
            errors.Add(field, message);
        }
    }
}
