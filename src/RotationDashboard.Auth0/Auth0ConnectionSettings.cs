namespace RotationDashboard.Auth0;

/// <summary>
/// How to reach one tenant's Management API: the tenant, the machine-to-machine application's client id and
/// secret, and the audience (default <c>{tenant}/api/v2/</c>; a custom-domain tenant keeps its canonical audience).
/// </summary>
public sealed record Auth0ConnectionSettings
{
    public Auth0ConnectionSettings(Auth0TenantAddress tenant, string clientId, string clientSecret, string? audience = null)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        ArgumentException.ThrowIfNullOrEmpty(clientSecret);

        Tenant = tenant;
        ClientId = clientId.Trim();
        ClientSecret = clientSecret;
        Audience = string.IsNullOrWhiteSpace(audience)
            ? tenant.ManagementApiAudience
            : Auth0TenantAddress.NormalizeAudience(audience);
    }

    public Auth0TenantAddress Tenant { get; }

    public string ClientId { get; }

    public string ClientSecret { get; }

    public string Audience { get; }

    /// <summary>
    /// Whether the Auth0 client retries this connection's transient failures itself (408, 429, 5xx, timeouts). The
    /// rotation engine turns it off: it retries a run's calls itself, visibly and within the run's time limit, and two
    /// retrying layers would multiply the attempts.
    /// </summary>
    public bool RetryTransientFailures { get; init; } = true;

    public override string ToString() =>
        $"Auth0ConnectionSettings {{ Tenant = {Tenant}, ClientId = {ClientId}, Audience = {Audience}, ClientSecret = *** }}";
}
