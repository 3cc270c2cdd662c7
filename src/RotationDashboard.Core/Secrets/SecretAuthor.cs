using RotationDashboard.Core.Audit;

namespace RotationDashboard.Core.Secrets;

/// <summary>
/// Who writes a secret version: a person or token editing by hand, or a rotation. Rotation-owned secrets
/// accept writes only from their rotation; other secrets accept only manual writes.
/// </summary>
public sealed record SecretAuthor
{
    private SecretAuthor(string writtenBy, Guid? rotationId)
    {
        WrittenBy = writtenBy;
        RotationId = rotationId;
    }

    /// <summary>Recorded on the version: <c>user:ada@x</c>, <c>token:ci</c>, <c>rotation:my-auth0-rotation</c>.</summary>
    public string WrittenBy { get; }

    public Guid? RotationId { get; }

    public bool IsRotation => RotationId is not null;

    public static SecretAuthor Manual(Actor actor) => new(actor.ToString(), null);

    public static SecretAuthor Rotation(Guid rotationId, string rotationName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rotationName);
        return new SecretAuthor($"rotation:{rotationName}", rotationId);
    }

    public override string ToString() => WrittenBy;
}
