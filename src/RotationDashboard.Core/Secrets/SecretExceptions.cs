using RotationDashboard.Core.Common;

namespace RotationDashboard.Core.Secrets;

/// <summary>A manual edit, rename or delete of a secret that a rotation manages.</summary>
public sealed class RotationOwnedSecretException : DomainException
{
    public RotationOwnedSecretException(string secretKey, Guid ownerRotationId, string operation)
        : base($"Secret \"{secretKey}\" is managed by a secret rotation and cannot be {operation} by hand. " +
               "Rotate it through its rotation, or delete the rotation first.")
    {
        SecretKey = secretKey;
        OwnerRotationId = ownerRotationId;
    }

    public string SecretKey { get; }

    public Guid OwnerRotationId { get; }
}

/// <summary>A rotation tried to write a secret it does not own.</summary>
public sealed class SecretNotOwnedByRotationException : DomainException
{
    public SecretNotOwnedByRotationException(string secretKey, Guid rotationId)
        : base($"Secret \"{secretKey}\" is not managed by this rotation, so the rotation cannot write it.")
    {
        SecretKey = secretKey;
        RotationId = rotationId;
    }

    public string SecretKey { get; }

    public Guid RotationId { get; }
}

/// <summary>A stage transition that the secret's state does not allow (e.g. promoting without a NEXT version).</summary>
public sealed class SecretStageException : DomainException
{
    public SecretStageException(string message)
        : base(message)
    {
    }
}
