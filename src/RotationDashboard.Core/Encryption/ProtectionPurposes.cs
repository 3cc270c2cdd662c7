namespace RotationDashboard.Core.Encryption;

/// <summary>
/// Purpose strings authenticated with each blob. Each includes the owning record's id, so a blob copied to
/// another record (or another column) fails to decrypt instead of silently yielding the wrong secret.
/// </summary>
public static class ProtectionPurposes
{
    /// <summary>Before binding to the version: still read by the data migration that re-encrypts old versions.</summary>
    public static string SecretValue(Guid secretId) => $"secret-value:{secretId:N}";

    /// <summary>A secret version's value, bound to its secret and version: a blob moved to another version is refused.</summary>
    public static string SecretVersionValue(Guid secretId, Guid versionId) => $"secret-value:{secretId:N}:{versionId:N}";

    public static string ConnectionClientSecret(Guid connectionId) => $"connection-client-secret:{connectionId:N}";

    public static string RotationGeneratedCredentials(Guid rotationId) => $"rotation-generated-credentials:{rotationId:N}";

    public static string RotationLastMessage(Guid rotationId) => $"rotation-last-message:{rotationId:N}";

    public static string RunPendingCredential(Guid runId) => $"run-pending-credential:{runId:N}";
}
