using RotationDashboard.Core.Common;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Web.Services.Rotations;
using RotationDashboard.Web.Application.Rotations;

namespace RotationDashboard.Web.Api.Rotations;

/// <summary>
/// The one mapping between the rotation API's contracts (seed 002's JSON) and the application's models: request
/// bodies to the domain's <see cref="RotationSettings"/> (inside <see cref="CreateRotationRequest"/>) and
/// <see cref="RotationChanges"/> (with the checks only the API needs: the type in the path, strategy slugs, seconds),
/// and views to response DTOs. A new rotation field is added here, in the request/response contracts and nowhere else
/// in the API.
/// </summary>
public static class SecretRotationApiMapping
{
    /// <summary>Until a run has finished the first issuance (only while it is under way) the status reads <c>pending</c>.</summary>
    public const string PendingStatus = "pending";

    // ---- API → application -----------------------------------------------------------------------------

    /// <summary>The create request, or null with <paramref name="errors"/> filled.</summary>
    public static CreateRotationRequest? ToCreateRequest(RotationType type, CreateSecretRotationRequest input, ValidationErrors errors)
    {
        if (input.Type is { } requestedType && !string.Equals(requestedType.Trim(), type.ToSlug(), StringComparison.Ordinal))
        {
            var other = RotationSlugs.TryParseType(requestedType.Trim(), out var parsed) ? parsed : type;
            errors.Add("type", $"This address creates \"{type.ToSlug()}\" rotations; use {SecretRotationEndpoints.PathFor(other)} for " +
                               $"\"{(requestedType.Length <= 64 ? requestedType : requestedType[..64] + "…")}\".");
        }

        var strategy = ParseStrategy(input.Strategy, type, errors);
        if (input.RotationInterval is null)
        {
            errors.Add("rotationInterval", "Rotation interval is required (whole days, 1-365).");
        }

        var rotateAt = ToRotateAt(input.RotateAtUtc, current: null, errors);
        if (errors.HasErrors)
        {
            return null;
        }

        return new CreateRotationRequest
        {
            Settings = new RotationSettings
            {
                Name = input.Name ?? string.Empty,
                Description = input.Description,
                Type = type,
                Strategy = strategy,
                ConnectionId = input.ConnectionId ?? Guid.Empty,
                ProjectId = input.ProjectId ?? Guid.Empty,
                IsAutoRotationEnabled = input.IsAutoRotationEnabled ?? true,
                RotationInterval = input.RotationInterval!.Value,
                RotateAtUtc = rotateAt ?? RotateAtUtc.Midnight,
                Parameters = new RotationParameters(input.Parameters?.ClientId ?? string.Empty),
                SecretsMapping = input.SecretsMapping is { } mapping
                    ? new SecretsMapping(mapping.ClientId ?? string.Empty, mapping.ClientSecret, mapping.PrivateKey, mapping.KeyId,
                        mapping.ClientSecretNext, mapping.PrivateKeyNext, mapping.KeyIdNext)
                    : SecretsMapping.DefaultFor(type),
                StagedLeadTime = Seconds(input.StagedLeadTimeSeconds),
                RetireGracePeriod = Seconds(input.RetireGracePeriodSeconds),
                UseSelfSignedCertificate = input.UseSelfSignedCertificate ?? false,
            },
            Environment = input.Environment ?? string.Empty,
            SecretPath = input.SecretPath ?? "/",
            SwitchToPrivateKeyJwt = input.SwitchToPrivateKeyJwt ?? false,
        };
    }

    /// <summary>
    /// The update request, or null with <paramref name="errors"/> filled. Members that cannot change
    /// (connection, project, environment, path, type) are ignored when they equal the current value, as Infisical's
    /// clients (Terraform) send them on every update, and refused with the reason when they differ.
    /// </summary>
    public static RotationChanges? ToChanges(RotationType type, UpdateSecretRotationRequest input, RotationView current, ValidationErrors errors)
    {
        Immutable(errors, "connectionId", input.ConnectionId, current.ConnectionId, current.Connection.Name);
        Immutable(errors, "projectId", input.ProjectId, current.ProjectId, current.ProjectId.ToString());
        Immutable(errors, "environment", input.Environment?.Trim(), current.Environment.Slug, current.Environment.Slug);
        Immutable(errors, "type", input.Type?.Trim(), current.Type, current.Type);
        if (input.SecretPath is { } secretPath)
        {
            var normalized = FolderPath.TryNormalize(secretPath, out var path, out _) ? path : secretPath;
            Immutable(errors, "secretPath", normalized, current.Folder.Path, current.Folder.Path);
        }

        var strategy = ParseStrategy(input.Strategy, type, errors);
        var rotateAt = input.RotateAtUtc is null ? null : ToRotateAt(input.RotateAtUtc, current.RotateAtUtc, errors);
        if (errors.HasErrors)
        {
            return null;
        }

        var mapping = input.SecretsMapping is { } m
            ? new SecretsMapping(
                m.ClientId ?? current.SecretsMapping.ClientId,
                m.ClientSecret ?? current.SecretsMapping.ClientSecret,
                m.PrivateKey ?? current.SecretsMapping.PrivateKey,
                m.KeyId ?? current.SecretsMapping.KeyId,
                m.ClientSecretNext ?? current.SecretsMapping.ClientSecretNext,
                m.PrivateKeyNext ?? current.SecretsMapping.PrivateKeyNext,
                m.KeyIdNext ?? current.SecretsMapping.KeyIdNext)
            : null;
        return new RotationChanges
        {
            Name = input.Name,
            Description = input.DescriptionSent ? input.Description ?? string.Empty : null,
            IsAutoRotationEnabled = input.IsAutoRotationEnabled,
            RotationInterval = input.RotationInterval,
            RotateAtUtc = rotateAt,
            Parameters = input.Parameters?.ClientId is { } clientId ? new RotationParameters(clientId) : null,
            SecretsMapping = mapping == current.SecretsMapping ? null : mapping,
            Strategy = strategy,
            StagedLeadTime = Seconds(input.StagedLeadTimeSeconds),
            RetireGracePeriod = Seconds(input.RetireGracePeriodSeconds),
            UseSelfSignedCertificate = input.UseSelfSignedCertificate,
        };
    }

    /// <summary>Application field names → the API's (durations are seconds here).</summary>
    public static string ApiFieldName(string field) => field switch
    {
        "stagedLeadTime" => "stagedLeadTimeSeconds",
        "retireGracePeriod" => "retireGracePeriodSeconds",
        _ => field,
    };

    // ---- Application → API -----------------------------------------------------------------------------

    public static SecretRotationDto ToDto(RotationView view) => new(
        view.Id,
        view.Name,
        view.Description,
        ToDto(view.SecretsMapping),
        view.IsAutoRotationEnabled,
        view.ActiveIndex,
        view.FolderId,
        view.ConnectionId,
        view.CreatedAt,
        view.UpdatedAt,
        view.RotationInterval,
        view.RotationStatus ?? PendingStatus,
        view.LastRotationAttemptedAt ?? view.LastRotatedAt ?? view.CreatedAt,
        view.LastRotatedAt ?? view.CreatedAt,
        view.LastRotationJobId,
        view.NextRotationAt,
        new RotationConnectionDto(view.Connection.App, view.Connection.Name, view.Connection.Id),
        new RotationEnvironmentDto(view.Environment.Slug, view.Environment.Name, view.Environment.Id),
        view.ProjectId,
        new RotationFolderDto(view.Folder.Id, view.Folder.Path),
        new RotateAtUtcDto(view.RotateAtUtc.Hours, view.RotateAtUtc.Minutes),
        view.LastRotationMessage,
        view.Type,
        new RotationParametersDto(view.Parameters.ClientId),
        RotationApiSlugs.ToSlug(view.Strategy),
        view.IsLastRotationManual,
        (int)view.StagedLeadTime.TotalSeconds,
        (int)view.RetireGracePeriod.TotalSeconds,
        view.UseSelfSignedCertificate,
        view.ApplicationName,
        view.IsRotating,
        view.ActiveRun is null ? null : ToDto(view.ActiveRun),
        view.NeedsAttention,
        view.Pause?.PausedAt,
        view.Pause?.ConsecutiveFailures);

    public static SecretsMappingDto ToDto(SecretsMapping mapping) =>
        new(mapping.ClientId, mapping.ClientSecret, mapping.PrivateKey, mapping.KeyId, mapping.ClientSecretNext, mapping.PrivateKeyNext, mapping.KeyIdNext);

    public static RotationRunDto ToDto(RunView run) => new(
        run.Id,
        run.RotationId,
        run.Trigger,
        run.Actor,
        RotationApiSlugs.ToSlug(run.Strategy),
        run.StartedAt,
        run.FinishedAt,
        run.Status,
        run.Attempt,
        run.Message,
        run.WaitingUntil,
        run.Steps.Select(s => new RotationRunStepDto(s.Order, s.Name, s.Status, s.StartedAt, s.FinishedAt, s.Message)).ToList());

    public static GeneratedCredentialsResponse ToResponse(GeneratedCredentialsView view) => new(
        view.GeneratedCredentials.Select(ToDto).ToList(),
        view.ActiveIndex,
        view.RotationId,
        view.Type,
        view.Next is null ? null : ToDto(view.Next));

    public static GeneratedCredentialDto ToDto(GeneratedCredentialSlot slot) => new(
        slot.ClientId, slot.ClientSecret, slot.PrivateKeyPem, slot.KeyId, slot.CredentialId, slot.SlotIndex, slot.Stage, slot.IsValid,
        slot.Validity, slot.CreatedAt, slot.RetiredAt);

    public static SecretRotationOptionDto ToOption(RotationType type) => new(
        Label(type),
        type.ToSlug(),
        "auth0",
        new SecretRotationTemplateDto(ToDto(SecretsMapping.DefaultFor(type))),
        RotationSlugs.StrategiesFor(type).Select(RotationApiSlugs.ToSlug).ToList(),
        RotationApiSlugs.ToSlug(RotationSlugs.DefaultStrategyFor(type)),
        Auth0ApplicationCheck.RequiredScopes(type),
        SecretRotationEndpoints.PathFor(type));

    public static string Label(RotationType type) => type == RotationType.Auth0ClientSecret ? "Auth0 Client Secret" : "Auth0 Private Key JWT";

    // ---- Helpers -------------------------------------------------------------------------------------------

    private static RotationStrategy? ParseStrategy(string? text, RotationType type, ValidationErrors errors)
    {
        if (text is null)
        {
            return null;
        }

        if (RotationApiSlugs.TryParseStrategy(text, out var strategy) && RotationSlugs.StrategiesFor(type).Contains(strategy))
        {
            return strategy;
        }

        errors.Add("strategy", $"Strategy must be {string.Join(" or ", RotationSlugs.StrategiesFor(type).Select(RotationApiSlugs.ToSlug))} for \"{type.ToSlug()}\" rotations.");
        return null;
    }

    private static RotateAtUtc? ToRotateAt(RotateAtUtcInput? input, RotateAtUtc? current, ValidationErrors errors)
    {
        if (input is null)
        {
            return null;
        }

        if (current is null)
        {
            if (input.Hours is null)
            {
                errors.Add("rotateAtUtc.hours", "Hours is required (0-23).");
            }

            if (input.Minutes is null)
            {
                errors.Add("rotateAtUtc.minutes", "Minutes is required (0-59).");
            }
        }

        return new RotateAtUtc(input.Hours ?? current?.Hours ?? 0, input.Minutes ?? current?.Minutes ?? 0);
    }

    private static TimeSpan? Seconds(int? seconds) => seconds is { } value ? TimeSpan.FromSeconds(value) : null;

    private static void Immutable<T>(ValidationErrors errors, string field, T? requested, T current, string shown)
    {
        if (requested is not null && !EqualityComparer<T>.Default.Equals(requested, current))
        {
            errors.Add(field, $"{field} cannot be changed on an existing rotation (it stays \"{shown}\"): leave it out or send the current value " +
                              "(it is then ignored), or create a new rotation there.");
        }
    }
}
