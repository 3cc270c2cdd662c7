namespace RotationDashboard.Core.Secrets;

/// <summary>
/// The label of a secret version. At most one version of a secret is Current, one Next and one Previous;
/// every other version is Archived (kept for history).
/// </summary>
public enum SecretStage
{
    /// <summary>The live value consumers use.</summary>
    Current,

    /// <summary>Published ahead of a rotation; not yet live in Auth0. Consumers fall back to it.</summary>
    Next,

    /// <summary>The value Current replaced, kept for rollback.</summary>
    Previous,

    /// <summary>History only.</summary>
    Archived,
}
