using RotationDashboard.Core.Common;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Rotations;

// Kept in the feature namespace: pages and tests use the model and its time helpers.
namespace RotationDashboard.Web.Components.Rotations;

/// <summary>
/// What the rotation wizard has collected so far, its per-step checks (with the same rules and words as the service,
/// keyed by the API's field names) and the requests it sends. The service validates everything again; its errors are
/// mapped back to a step with <see cref="StepOf"/>.
/// </summary>
public sealed class RotationWizardModel
{
    public const int ConnectionStep = 0;
    public const int IntervalStep = 1;
    public const int ScheduleStep = 2;
    public const int ApplicationStep = 3;
    public const int MappingStep = 4;
    public const int DetailsStep = 5;
    public const int ReviewStep = 6;

    public static IReadOnlyList<string> StepTitles { get; } =
        ["Connection", "Interval", "Rotate at", "Application", "Secret mapping", "Name", "Review"];

    public RotationWizardModel()
    {
    }

    /// <summary>Edits <paramref name="existing"/>: every field starts with its value.</summary>
    public RotationWizardModel(RotationView existing, TimeZoneInfo zone, DateTimeOffset now)
    {
        Existing = existing;
        ConnectionId = existing.ConnectionId;
        RotationInterval = existing.RotationInterval;
        RotateAtLocal = WizardTime.ToLocalText(existing.RotateAtUtc, zone, now);
        IsAutoRotationEnabled = existing.IsAutoRotationEnabled;
        AutoRotationChosen = true;
        Strategy = existing.Strategy;
        (LeadTimeAmount, LeadTimeUnit) = WizardTime.Split(existing.StagedLeadTime);
        (GracePeriodAmount, GracePeriodUnit) = WizardTime.Split(existing.RetireGracePeriod);
        UseSelfSignedCertificate = existing.UseSelfSignedCertificate;
        ClientId = existing.Parameters.ClientId;
        ProjectId = existing.ProjectId;
        EnvironmentSlug = existing.Environment.Slug;
        SecretPath = existing.Folder.Path;
        ClientIdKey = existing.SecretsMapping.ClientId;
        ClientSecretKey = existing.SecretsMapping.ClientSecret ?? ClientSecretKey;
        PrivateKeyKey = existing.SecretsMapping.PrivateKey ?? PrivateKeyKey;
        KeyIdKey = existing.SecretsMapping.KeyId ?? KeyIdKey;
        ClientSecretNextKey = existing.SecretsMapping.ClientSecretNext;
        PrivateKeyNextKey = existing.SecretsMapping.PrivateKeyNext;
        KeyIdNextKey = existing.SecretsMapping.KeyIdNext;
        Name = existing.Name;
        Description = existing.Description;
    }

    public RotationView? Existing { get; }

    public bool IsEdit => Existing is not null;

    // 1. Connection
    public Guid? ConnectionId { get; set; }

    // 2. Interval
    public int? RotationInterval { get; set; } = 30;

    // 3. Rotate at, auto-rotation, strategy
    /// <summary>The time of day in the admin's time zone, <c>HH:mm</c>.</summary>
    public string? RotateAtLocal { get; set; } = "00:00";

    public bool IsAutoRotationEnabled { get; set; } = true;

    /// <summary>Set once the admin flips the switch: choosing another strategy no longer resets it.</summary>
    public bool AutoRotationChosen { get; set; }

    public RotationStrategy Strategy { get; private set; } = RotationStrategy.Staged;

    public double? LeadTimeAmount { get; set; } = 5;

    public DurationUnit LeadTimeUnit { get; set; } = DurationUnit.Minutes;

    public double? GracePeriodAmount { get; set; } = 1;

    public DurationUnit GracePeriodUnit { get; set; } = DurationUnit.Hours;

    /// <summary>Private Key JWT: register each key in Auth0 as a self-signed certificate (which expires).</summary>
    public bool UseSelfSignedCertificate { get; set; }

    // 4. Application
    public string? ClientId { get; set; }

    /// <summary>The picked application as the picker listed it (null in edit mode until it is listed).</summary>
    public ApplicationSummary? Application { get; set; }

    public bool SwitchToPrivateKeyJwt { get; set; }

    // 5. Secret mapping
    public Guid? ProjectId { get; set; }

    public string? EnvironmentSlug { get; set; } = "dev";

    public string? SecretPath { get; set; } = "/";

    public string? ClientIdKey { get; set; } = "AUTH0_CLIENT_ID";

    public string? ClientSecretKey { get; set; } = "AUTH0_CLIENT_SECRET";

    public string? PrivateKeyKey { get; set; } = "AUTH0_PRIVATE_KEY";

    public string? KeyIdKey { get; set; } = "AUTH0_KEY_ID";

    // Optional NEXT entries for consumers that read one value per secret (Infisical's SDKs); blank: none.
    public string? ClientSecretNextKey { get; set; }

    public string? PrivateKeyNextKey { get; set; }

    public string? KeyIdNextKey { get; set; }

    // 6. Name and description
    public string? Name { get; set; }

    public string? Description { get; set; }

    public RotationType Type => RotationText.TypeOf(Strategy);

    /// <summary>Single-phase defaults to auto-rotation off (as in Hanzo): every run interrupts the consumers.</summary>
    public void SetStrategy(RotationStrategy strategy)
    {
        Strategy = strategy;
        if (!AutoRotationChosen)
        {
            IsAutoRotationEnabled = strategy != RotationStrategy.SinglePhase;
        }
    }

    /// <summary>In edit mode the type is fixed: a client-secret rotation may switch between single-phase and staged only.</summary>
    public bool CanChooseStrategy(RotationStrategy strategy) =>
        Existing is null || RotationText.TypeOf(strategy) == RotationSlugs.ParseType(Existing.Type);

    public TimeSpan? StagedLeadTime => WizardTime.ToTimeSpan(LeadTimeAmount, LeadTimeUnit);

    public TimeSpan? RetireGracePeriod => WizardTime.ToTimeSpan(GracePeriodAmount, GracePeriodUnit);

    public SecretsMapping Mapping => Type == RotationType.Auth0PrivateKeyJwt
        ? new SecretsMapping(Trim(ClientIdKey), PrivateKey: Trim(PrivateKeyKey), KeyId: Trim(KeyIdKey),
            PrivateKeyNext: Optional(PrivateKeyNextKey), KeyIdNext: Optional(KeyIdNextKey))
        : new SecretsMapping(Trim(ClientIdKey), ClientSecret: Trim(ClientSecretKey), ClientSecretNext: Strategy == RotationStrategy.SinglePhase ? null : Optional(ClientSecretNextKey));

    private static string? Optional(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    // ---- Checks per step (synchronous: the database checks run in the wizard) -------------------------

    /// <summary>The errors that keep <paramref name="step"/> from being done, keyed by API field names.</summary>
    public ValidationErrors Validate(int step, ConnectionView? connection, TimeZoneInfo zone, DateTimeOffset now)
    {
        var errors = new ValidationErrors();
        switch (step)
        {
            case ConnectionStep:
                if (ConnectionId is null)
                {
                    errors.Add("connectionId", "Pick the connection to the Auth0 tenant of the application.");
                }
                else if (connection is { LastValidationOk: false })
                {
                    errors.Add("connectionId", $"The connection's last test failed: {connection.LastValidationMessage} Fix the connection, or test it again.");
                }

                break;
            case IntervalStep:
                if (RotationInterval is { } days)
                {
                    RotationRules.ValidateInterval(days, errors);
                }
                else
                {
                    errors.Add("rotationInterval", "Enter the rotation interval in whole days.");
                }

                break;
            case ScheduleStep:
                if (ToUtc(zone, now) is null)
                {
                    errors.Add("rotateAtUtc", "Enter a time of day as HH:mm (24-hour), e.g. 02:30.");
                }

                if (!CanChooseStrategy(Strategy))
                {
                    errors.Add("strategy", "An existing rotation keeps its type: choose single-phase or staged for a client secret.");
                }
                else if (MissingScopes(connection, Strategy) is { Count: > 0 } missing)
                {
                    errors.Add("strategy", $"The connection lacks the Management API scope(s) this strategy needs: {string.Join(", ", missing)}.");
                }

                if (Strategy == RotationStrategy.Staged)
                {
                    ValidateDuration(LeadTimeAmount, StagedLeadTime, "stagedLeadTime", "Lead time", errors);
                }

                if (Strategy == RotationStrategy.PrivateKeyJwt)
                {
                    ValidateDuration(GracePeriodAmount, RetireGracePeriod, "retireGracePeriod", "Grace period", errors);
                }

                break;
            case ApplicationStep:
                if (string.IsNullOrWhiteSpace(ClientId))
                {
                    errors.Add("parameters.clientId", "Pick the application whose credential rotates.");
                }
                else if (Application is { } app)
                {
                    if (!app.IsConfidential)
                    {
                        errors.Add("parameters.clientId", $"\"{app.Name}\" is a public application; it has no credential to rotate.");
                    }
                    else if (Type == RotationType.Auth0ClientSecret && app.UsesPrivateKeyJwt)
                    {
                        errors.Add("parameters.clientId",
                            $"\"{app.Name}\" authenticates with Private Key JWT, so it has no client secret to rotate. Go back and choose the Private Key JWT strategy.");
                    }
                    else if (!IsEdit && Type == RotationType.Auth0PrivateKeyJwt && !app.UsesPrivateKeyJwt
                             && app.AuthMethod != ApplicationSummary.UnknownAuthMethod && !SwitchToPrivateKeyJwt)
                    {
                        errors.Add("switchToPrivateKeyJwt",
                            $"\"{app.Name}\" authenticates with a client secret today. Confirm the switch to Private Key JWT below: every consumer that still uses the secret breaks.");
                    }
                }

                break;
            case MappingStep:
                if (ProjectId is null)
                {
                    errors.Add("projectId", "Pick the project the secrets go to.");
                }

                if (string.IsNullOrWhiteSpace(EnvironmentSlug))
                {
                    errors.Add("environment", "Pick the environment.");
                }

                if (!FolderPath.TryNormalize(SecretPath, out _, out var pathError))
                {
                    errors.Add("secretPath", pathError!);
                }

                RotationRules.ValidateSecretsMapping(Type, Mapping, errors);
                break;
            case DetailsStep:
                RotationRules.ValidateName(Name, errors);
                RotationRules.ValidateDescription(Description, errors);
                break;
        }

        return errors;
    }

    public static IReadOnlyList<string> MissingScopes(ConnectionView? connection, RotationStrategy strategy) =>
        connection is { LastValidationOk: true } && connection.MissingScopes.TryGetValue(RotationText.TypeOf(strategy), out var missing) ? missing : [];

    /// <summary>The wizard step a server-side error belongs to (API field name → step); unknown fields go to Review.</summary>
    public static int StepOf(string field) => field switch
    {
        "connectionId" => ConnectionStep,
        "rotationInterval" => IntervalStep,
        _ when field.StartsWith("rotateAtUtc", StringComparison.Ordinal) => ScheduleStep,
        "strategy" or "type" or "isAutoRotationEnabled" or "stagedLeadTime" or "retireGracePeriod" or "useSelfSignedCertificate" => ScheduleStep,
        _ when field.StartsWith("parameters", StringComparison.Ordinal) => ApplicationStep,
        "switchToPrivateKeyJwt" => ApplicationStep,
        _ when field.StartsWith("secretsMapping", StringComparison.Ordinal) => MappingStep,
        "projectId" or "environment" or "secretPath" => MappingStep,
        "name" or "description" => DetailsStep,
        _ => ReviewStep,
    };

    // ---- Requests --------------------------------------------------------------------------------------

    /// <summary>The settings as the form holds them (the environment and folder are resolved from their names on create).</summary>
    public RotationSettings ToSettings(TimeZoneInfo zone, DateTimeOffset now) => new()
    {
        Name = Name?.Trim() ?? string.Empty,
        Description = string.IsNullOrWhiteSpace(Description) ? null : Description.Trim(),
        Type = Type,
        Strategy = Strategy,
        ConnectionId = ConnectionId ?? Guid.Empty,
        ProjectId = ProjectId ?? Guid.Empty,
        IsAutoRotationEnabled = IsAutoRotationEnabled,
        RotationInterval = RotationInterval ?? 0,
        RotateAtUtc = ToUtc(zone, now) ?? RotateAtUtc.Midnight,
        Parameters = new RotationParameters(ClientId?.Trim() ?? string.Empty),
        SecretsMapping = Mapping,
        StagedLeadTime = Strategy == RotationStrategy.Staged ? StagedLeadTime : null,
        RetireGracePeriod = Strategy == RotationStrategy.PrivateKeyJwt ? RetireGracePeriod : null,
        UseSelfSignedCertificate = Strategy == RotationStrategy.PrivateKeyJwt && UseSelfSignedCertificate,
    };

    public CreateRotationRequest ToCreateRequest(TimeZoneInfo zone, DateTimeOffset now) => new()
    {
        Settings = ToSettings(zone, now),
        Environment = EnvironmentSlug ?? string.Empty,
        SecretPath = SecretPath ?? "/",
        SwitchToPrivateKeyJwt = Strategy == RotationStrategy.PrivateKeyJwt && SwitchToPrivateKeyJwt,
    };

    /// <summary>Only what changed, so a concurrent change to another field is not overwritten.</summary>
    public RotationChanges ToChanges(TimeZoneInfo zone, DateTimeOffset now) =>
        RotationChanges.Between((Existing ?? throw new InvalidOperationException("Not editing a rotation.")).Settings, ToSettings(zone, now));

    // ---- Time of day -----------------------------------------------------------------------------------

    /// <summary>The local time of day as UTC hours and minutes (see <see cref="WizardTime.ToUtc"/>); null when the text is not a time.</summary>
    public RotateAtUtc? ToUtc(TimeZoneInfo zone, DateTimeOffset now) => WizardTime.ToUtc(RotateAtLocal, zone, now);

    private static void ValidateDuration(double? amount, TimeSpan? value, string field, string label, ValidationErrors errors)
    {
        if (amount is null || value is null)
        {
            errors.Add(field, $"{label} is required.");
            return;
        }

        RotationRules.ValidateTimings(field == "stagedLeadTime" ? value : null, field == "retireGracePeriod" ? value : null, errors);
    }

    private static string Trim(string? value) => value?.Trim() ?? string.Empty;
}
