using RotationDashboard.Auth0;
using RotationDashboard.Core.Rotations;

namespace RotationDashboard.Web.Services.Connections;

/// <summary>The Management API scopes each rotation type needs from a connection (auth0-management-api.md §2).</summary>
public static class ConnectionScopes
{
    /// <summary>Read the application (and the picker), set its client secret.</summary>
    public static IReadOnlyList<string> ClientSecret { get; } =
    [
        Auth0ManagementScopes.ReadClients,
        Auth0ManagementScopes.UpdateClientKeys,
    ];

    /// <summary>Add, list, expire and delete credentials, and attach them to the application.</summary>
    public static IReadOnlyList<string> PrivateKeyJwt { get; } =
    [
        Auth0ManagementScopes.ReadClientCredentials,
        Auth0ManagementScopes.CreateClientCredentials,
        Auth0ManagementScopes.UpdateClientCredentials,
        Auth0ManagementScopes.DeleteClientCredentials,
        Auth0ManagementScopes.UpdateClients,
    ];

    public static IReadOnlyList<string> RequiredFor(RotationType type) => type switch
    {
        RotationType.Auth0ClientSecret => ClientSecret,
        RotationType.Auth0PrivateKeyJwt => PrivateKeyJwt,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>For every rotation type, the required scopes <paramref name="granted"/> lacks (empty list: none).</summary>
    public static IReadOnlyDictionary<RotationType, IReadOnlyList<string>> FindMissing(IEnumerable<string> granted)
    {
        var have = granted.ToHashSet(StringComparer.Ordinal);
        return Enum.GetValues<RotationType>().ToDictionary(
            type => type,
            type => Auth0ManagementScopes.FindMissing(have, RequiredFor(type)));
    }

    /// <summary>Every required scope missing, for a connection that got no token at all.</summary>
    public static IReadOnlyDictionary<RotationType, IReadOnlyList<string>> AllMissing() => FindMissing([]);
}
