using Microsoft.EntityFrameworkCore;

namespace RotationDashboard.Web.Data;

/// <summary>
/// Secret names a rotation maps are reserved from the moment it is created, before its first value is written (a first
/// issuance that failed has written nothing yet), so neither a person nor another rotation can take them meanwhile.
/// </summary>
public static class MappedSecretNames
{
    /// <summary>Which of <paramref name="keys"/> the folder's rotations (other than <paramref name="exceptRotationId"/>) map, and by which.</summary>
    public static async Task<IReadOnlyList<(string Key, string RotationName)>> FindAsync(
        RotationDashboardDbContext db,
        Guid folderId,
        IReadOnlyCollection<string> keys,
        Guid? exceptRotationId,
        CancellationToken cancellationToken)
    {
        var rotations = await db.Rotations.AsNoTracking()
            .Where(r => r.FolderId == folderId && r.Id != exceptRotationId)
            .Where(r => keys.Contains(r.SecretsMapping.ClientId) || keys.Contains(r.SecretsMapping.ClientSecret!)
                        || keys.Contains(r.SecretsMapping.PrivateKey!) || keys.Contains(r.SecretsMapping.KeyId!)
                        || keys.Contains(r.SecretsMapping.ClientSecretNext!) || keys.Contains(r.SecretsMapping.PrivateKeyNext!)
                        || keys.Contains(r.SecretsMapping.KeyIdNext!))
            .Select(r => new
            {
                r.Name, r.SecretsMapping.ClientId, r.SecretsMapping.ClientSecret, r.SecretsMapping.PrivateKey, r.SecretsMapping.KeyId,
                r.SecretsMapping.ClientSecretNext, r.SecretsMapping.PrivateKeyNext, r.SecretsMapping.KeyIdNext,
            })
            .ToListAsync(cancellationToken);
        return rotations
            .SelectMany(r => new[] { r.ClientId, r.ClientSecret, r.PrivateKey, r.KeyId, r.ClientSecretNext, r.PrivateKeyNext, r.KeyIdNext }
                .Where(key => key is not null && keys.Contains(key))
                .Select(key => (key!, r.Name)))
            .OrderBy(pair => pair.Item1, StringComparer.Ordinal)
            .ToList();
    }

    public static string ReservedMessage(string key, string rotationName) =>
        $"The secret name \"{key}\" is reserved: rotation \"{rotationName}\" maps it and writes its value.";
}
