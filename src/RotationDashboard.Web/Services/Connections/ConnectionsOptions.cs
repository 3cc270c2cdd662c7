namespace RotationDashboard.Web.Services.Connections;

/// <summary>Settings of the connections feature (section "Connections").</summary>
public sealed class ConnectionsOptions
{
    public const string SectionName = "Connections";

    /// <summary>
    /// How long a tenant's application list is reused for the picker. Listing is 1 request per 100 applications,
    /// and a Free tenant allows 2 Management API requests a second.
    /// </summary>
    public TimeSpan ApplicationListCacheDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Hosts a real-tenant connection may use although they resolve to non-public addresses. Filled from
    /// <c>Auth0Client:AllowedNonPublicHosts</c>, the one list that also exempts them from the connect-time guard.
    /// </summary>
    public IList<string> AllowedNonPublicHosts { get; set; } = [];
}
