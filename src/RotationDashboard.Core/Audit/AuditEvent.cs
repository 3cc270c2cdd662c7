namespace RotationDashboard.Core.Audit;

public enum AuditOutcome
{
    Success,
    Failure,

    /// <summary>Refused by a rule or permission (e.g. a manual edit of a rotation-owned secret).</summary>
    Denied,
}

/// <summary>What an audit event is about.</summary>
public sealed record AuditTarget(string Type, string? Id, string? Name)
{
    public static AuditTarget Secret(Guid id, string key) => new(AuditTargetTypes.Secret, id.ToString(), key);

    public static AuditTarget Folder(Guid id, string path) => new(AuditTargetTypes.Folder, id.ToString(), path);

    public static AuditTarget Connection(Guid id, string name) => new(AuditTargetTypes.Connection, id.ToString(), name);

    public static AuditTarget Rotation(Guid id, string name) => new(AuditTargetTypes.Rotation, id.ToString(), name);

    public static AuditTarget ApiToken(Guid id, string name) => new(AuditTargetTypes.ApiToken, id.ToString(), name);

    public static AuditTarget MachineIdentity(Guid id, string name) => new(AuditTargetTypes.MachineIdentity, id.ToString(), name);
}

public static class AuditTargetTypes
{
    public const string Secret = "secret";
    public const string Folder = "folder";
    public const string Project = "project";
    public const string Connection = "connection";
    public const string Rotation = "rotation";
    public const string ApiToken = "api-token";
    public const string MachineIdentity = "machine-identity";
    public const string Session = "session";
}

/// <summary>Action names, <c>object.verb</c>.</summary>
public static class AuditActions
{
    public const string SecretCreate = "secret.create";
    public const string SecretUpdate = "secret.update";
    public const string SecretDelete = "secret.delete";
    public const string SecretReveal = "secret.reveal";

    /// <summary>A consumer read the secret through the read API (recorded once an hour per token and secret).</summary>
    public const string SecretConsumerRead = "secret.consumer-read";
    public const string SecretPublishNext = "secret.publish-next";
    public const string SecretPromoteNext = "secret.promote-next";
    public const string SecretSetCurrent = "secret.set-current";
    public const string SecretDiscardNext = "secret.discard-next";
    public const string SecretRelease = "secret.release";
    public const string FolderCreate = "folder.create";
    public const string ConnectionCreate = "connection.create";
    public const string ConnectionUpdate = "connection.update";
    public const string ConnectionDelete = "connection.delete";
    public const string ConnectionValidate = "connection.validate";
    public const string RotationCreate = "rotation.create";
    public const string RotationUpdate = "rotation.update";
    public const string RotationDelete = "rotation.delete";
    public const string RotationRotate = "rotation.rotate";
    public const string RotationPaused = "rotation.paused";
    public const string RotationRevealCredentials = "rotation.reveal-credentials";
    public const string ApiTokenCreate = "api-token.create";
    public const string ApiTokenRevoke = "api-token.revoke";
    public const string MachineIdentityCreate = "machine-identity.create";
    public const string MachineIdentityRevoke = "machine-identity.revoke";
    public const string MachineIdentityClientSecretCreate = "machine-identity.client-secret-create";
    public const string MachineIdentityClientSecretRevoke = "machine-identity.client-secret-revoke";

    /// <summary>A Universal Auth login (an access token issued) or a refused one for a known client id.</summary>
    public const string MachineIdentityLogin = "machine-identity.login";
    public const string SignIn = "session.sign-in";
    public const string SignOut = "session.sign-out";
    public const string SessionRevoke = "session.revoke";
}

/// <summary>
/// One entry of the audit log: who did what to which object, when, and how it ended.
/// <see cref="Details"/> is free text for context and must never carry a secret value.
/// </summary>
public sealed class AuditEvent
{
    public const int MaxActionLength = 64;
    public const int MaxDetailsLength = 2000;
    public const int MaxTargetNameLength = 512;

    private AuditEvent()
    {
        ActorName = string.Empty;
        Action = string.Empty;
        TargetType = string.Empty;
    }

    /// <summary>Database-assigned, increasing: the tie-breaker for events with the same timestamp.</summary>
    public long Id { get; private set; }

    public DateTimeOffset OccurredAt { get; private set; }

    public ActorType ActorType { get; private set; }

    public string ActorName { get; private set; }

    public string Action { get; private set; }

    public string TargetType { get; private set; }

    public string? TargetId { get; private set; }

    public string? TargetName { get; private set; }

    public AuditOutcome Outcome { get; private set; }

    public string? Details { get; private set; }

    /// <summary>The actor in its <c>type:name</c> form.</summary>
    public string ActorLabel => $"{ActorType.ToString().ToLowerInvariant()}:{ActorName}";

    public static AuditEvent Record(
        DateTimeOffset occurredAt,
        Actor actor,
        string action,
        AuditTarget target,
        AuditOutcome outcome,
        string? details = null)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        ArgumentException.ThrowIfNullOrWhiteSpace(target.Type);
        if (action.Length > MaxActionLength)
        {
            throw new ArgumentException($"An audit action is at most {MaxActionLength} characters.", nameof(action));
        }

        return new AuditEvent
        {
            OccurredAt = occurredAt.ToUniversalTime(),
            ActorType = actor.Type,
            ActorName = actor.Name,
            Action = action,
            TargetType = target.Type,
            TargetId = target.Id,
            TargetName = Truncate(target.Name, MaxTargetNameLength),
            Outcome = outcome,
            Details = Truncate(details, MaxDetailsLength),
        };
    }

    private static string? Truncate(string? value, int max) =>
        value is null || value.Length <= max ? value : value[..(max - 1)] + "…";
}
