namespace RotationDashboard.Core.Secrets;

/// <summary>One value of a secret, encrypted at rest, with its stage label and writer.</summary>
public sealed class SecretVersion
{
    private SecretVersion()
    {
        EncryptedValue = [];
        WrittenBy = string.Empty;
    }

    public Guid Id { get; private set; }

    public Guid SecretId { get; private set; }

    /// <summary>1, 2, 3… per secret.</summary>
    public int Version { get; private set; }

    /// <summary>AES-GCM blob; purpose <see cref="Encryption.ProtectionPurposes.SecretVersionValue"/> (bound to this version).</summary>
    public byte[] EncryptedValue { get; private set; }

    public SecretStage Stage { get; private set; }

    public string WrittenBy { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    internal static SecretVersion Create(Guid id, Guid secretId, int version, byte[] encryptedValue, SecretStage stage, string writtenBy, DateTimeOffset now) =>
        new()
        {
            Id = id,
            SecretId = secretId,
            Version = version,
            EncryptedValue = encryptedValue,
            Stage = stage,
            WrittenBy = writtenBy,
            CreatedAt = now,
        };

    internal void MoveTo(SecretStage stage) => Stage = stage;

    public override string ToString() => $"SecretVersion {Version} ({Stage}) by {WrittenBy}";
}
