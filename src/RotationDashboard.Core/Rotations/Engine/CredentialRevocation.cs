using Microsoft.Extensions.Logging;
using RotationDashboard.Core.Encryption;

namespace RotationDashboard.Core.Rotations.Engine;

public enum RotationDeletionStatus
{
    Deleted,
    NotFound,

    /// <summary>A run holds the lease.</summary>
    Busy,

    /// <summary>Auth0 did not take the credentials back; nothing was deleted.</summary>
    RevocationFailed,
}

/// <summary>The outcome of <see cref="RotationEngine.DeleteAsync"/>: the audit note, or why nothing was deleted (scrubbed).</summary>
public sealed record RotationDeletion(RotationDeletionStatus Status, string Detail);

/// <summary>The credential rules for taking a rotation's generated credentials out of Auth0 when it is deleted.</summary>
public sealed partial class CredentialRevocation(
    ICredentialAuthorityFactory authorities,
    ISecretProtector protector,
    IRunStore store,
    ILogger<CredentialRevocation> logger)
{
    /// <summary>
    /// Makes the rotation's generated credentials stop working. Client secret: Auth0's rotate-secret, so nobody knows the
    /// new one. Private Key JWT: the rotation's keys (its slots, any run's pending key, and keys named by it) are
    /// detached and deleted; when no other key stays attached the application falls back to a client secret nobody knows.
    /// </summary>
    /// <returns>A note for the audit entry, starting with a space.</returns>
    /// <exception cref="CredentialAuthorityException">Auth0 refused or failed; some credentials may remain.</exception>
    public async Task<string> RevokeAsync(Rotation rotation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        var authority = await authorities.CreateAsync(rotation.ConnectionId, cancellationToken);
        var clientId = rotation.Parameters.ClientId;
        if (rotation.Type == RotationType.Auth0ClientSecret)
        {
            await authority.RevokeClientSecretAsync(clientId, cancellationToken);
            LogRevoked(logger, rotation.Id, "client secret replaced by one nobody knows");
            return " (Auth0 generated a new client secret nobody knows)";
        }

        var ours = rotation.ReadGeneratedCredentials(protector).Select(c => c.CredentialId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var pending = await store.FindRunsWithPendingCredentialAsync(rotation.Id, cancellationToken);
        foreach (var run in pending)
        {
            if (run.ReadPendingCredential(protector)?.CredentialId is { } id)
            {
                ours.Add(id);
            }
        }

        var application = await authority.GetApplicationAsync(clientId, includeCredentials: true, cancellationToken);
        var prefix = RotationRunner.CredentialNamePrefix(rotation.Id);
        ours.UnionWith(application.Credentials.Where(c => c.Name?.StartsWith(prefix, StringComparison.Ordinal) == true).Select(c => c.Id));
        var remaining = application.AttachedCredentialIds.Where(id => !ours.Contains(id)).ToList();
        var note = "";
        if (application.AttachedCredentialIds.Any(ours.Contains))
        {
            if (remaining.Count > 0)
            {
                await authority.AttachPublicKeyCredentialsAsync(clientId, remaining, cancellationToken);
            }
            else
            {
                // Auth0 needs some authentication method: fall back to a client secret, and make it one nobody knows.
                await authority.UseClientSecretAsync(clientId, ClientSecretMethod.ClientSecretPost, cancellationToken);
                await authority.RevokeClientSecretAsync(clientId, cancellationToken);
                note = "; the application now has a client secret nobody knows";
            }
        }

        var existing = application.Credentials.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var id in ours.Where(existing.Contains))
        {
            await authority.DeleteCredentialAsync(clientId, id, cancellationToken);
        }

        LogRevoked(logger, rotation.Id, $"{ours.Count} key credential(s) deleted");
        return $" ({ours.Count(existing.Contains)} key credential(s) detached and deleted{note})";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Generated credentials of rotation {RotationId} revoked: {What}")]
    private static partial void LogRevoked(ILogger logger, Guid rotationId, string what);
}
