namespace RotationDashboard.Auth0;

/// <summary>Management API scopes the dashboard's connection needs (reference §2, API reference names).</summary>
public static class Auth0ManagementScopes
{
    public const string ReadClients = "read:clients";
    public const string UpdateClients = "update:clients";
    public const string ReadClientKeys = "read:client_keys";
    public const string UpdateClientKeys = "update:client_keys";
    public const string ReadClientCredentials = "read:client_credentials";
    public const string CreateClientCredentials = "create:client_credentials";
    public const string UpdateClientCredentials = "update:client_credentials";
    public const string DeleteClientCredentials = "delete:client_credentials";

    /// <summary>The grant set for the dashboard's machine-to-machine application.</summary>
    public static IReadOnlyList<string> Dashboard { get; } =
    [
        ReadClients, UpdateClients, ReadClientKeys, UpdateClientKeys,
        ReadClientCredentials, CreateClientCredentials, UpdateClientCredentials, DeleteClientCredentials,
    ];

    /// <summary>Scopes from <paramref name="required"/> (default <see cref="Dashboard"/>) that <paramref name="granted"/> lacks.</summary>
    public static IReadOnlyList<string> FindMissing(IEnumerable<string> granted, IEnumerable<string>? required = null)
    {
        ArgumentNullException.ThrowIfNull(granted);
        var have = granted as IReadOnlySet<string> ?? granted.ToHashSet(StringComparer.Ordinal);
        return (required ?? Dashboard).Where(scope => !have.Contains(scope)).ToList();
    }
}
