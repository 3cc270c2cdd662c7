using Microsoft.Extensions.Options;
using RotationDashboard.Auth0;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Connections;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Application.Connections;

/// <summary>The application picker's one call, so component tests can render it over a fake.</summary>
public interface IListApplications
{
    Task<OperationResult<ApplicationList>> ExecuteAsync(
        Guid connectionId,
        string? search = null,
        bool refresh = false,
        DashboardUser? requestedBy = null,
        CancellationToken cancellationToken = default);
}

/// <summary>The tenant's applications for the picker (UI and API), cached briefly per connection.</summary>
public sealed partial class ListApplications(
    IAuth0ConnectionResolver resolver,
    IAuth0ManagementClientFactory managementClients,
    OutboundAddressPolicy addressPolicy,
    ApplicationListCache applicationCache,
    ApplicationOwnership ownership,
    IOptions<SignInOptions> signIn,
    ILogger<ListApplications> logger) : IListApplications
{
    /// <summary><see cref="ApplicationSummary.AuthMethod"/> of an application that authenticates with private_key_jwt.</summary>
    public const string PrivateKeyJwtAuthMethod = "private_key_jwt";

    /// <summary>The tenant-wide pseudo-client real tenants list; it has no credential of its own to rotate.</summary>
    public const string AllApplicationsName = "All Applications";

    private static readonly IReadOnlyList<string> PickerFields =
        ["client_id", "name", "description", "app_type", "global", "token_endpoint_auth_method", "client_authentication_methods"];

    /// <summary>
    /// The tenant's applications for the picker, by name: all pages, without the connection's own client and the
    /// "All Applications" pseudo-client, filtered by <paramref name="search"/> (name, client id or app type).
    /// The list is cached briefly per connection; <paramref name="refresh"/> fetches it again, but only for an Admin (or a
    /// token that may change connections): listing costs the tenant's Management API budget, which a read-only user
    /// must not be able to spend at will. Others get the cached list.
    /// </summary>
    public async Task<OperationResult<ApplicationList>> ExecuteAsync(
        Guid connectionId,
        string? search = null,
        bool refresh = false,
        DashboardUser? requestedBy = null,
        CancellationToken cancellationToken = default)
    {
        refresh = refresh && requestedBy is { } user && user.May(ApiPermissions.ConnectionsWrite);
        ResolvedConnection resolved;
        try
        {
            resolved = await resolver.ResolveAsync(connectionId, cancellationToken);
        }
        catch (ConnectionNotFoundException)
        {
            return OperationResult<ApplicationList>.NotFound("The connection does not exist.");
        }

        var connection = resolved.Connection;
        if (!connection.IsSandbox && await addressPolicy.CheckAsync(resolved.Settings.Tenant, cancellationToken) is { } refusal)
        {
            return OperationResult<ApplicationList>.Upstream(refusal);
        }

        IReadOnlyList<Auth0Client> clients;
        DateTimeOffset fetchedAt;
        try
        {
            (clients, fetchedAt) = await applicationCache.GetAsync(
                connectionId,
                ConnectionForms.Fingerprint(connection),
                () => managementClients.Create(resolved.Settings)
                    .ListAllClientsAsync(new ListClientsRequest { Fields = PickerFields, IncludeFields = true }),
                refresh,
                cancellationToken);
        }
        catch (Auth0ApiException ex)
        {
            LogListFailed(logger, connectionId, ex.StatusCode is { } status ? (int)status : null, ex.ErrorCode);
            return OperationResult<ApplicationList>.Upstream(DescribeListFailure(ex, resolved.Settings.ClientSecret));
        }

        var owners = await ownership.FindOwnersAsync(connectionId, cancellationToken: cancellationToken);
        var applications = clients
            .Where(c => !string.Equals(c.ClientId, connection.ClientId, StringComparison.Ordinal))
            .Where(c => !string.Equals(c.ClientId, signIn.Value.SignInClientId, StringComparison.Ordinal))
            .Where(c => c.IsGlobal != true && !string.Equals(c.Name, AllApplicationsName, StringComparison.Ordinal))
            .Select(ToSummary)
            .Select(a => owners.TryGetValue(a.ClientId, out var owner) ? a with { RotatedBy = owner } : a)
            .OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase)
            .ThenBy(a => a.ClientId, StringComparer.Ordinal)
            .ToList();
        var matches = applications.Where(a => a.Matches(search)).ToList();
        return OperationResult.Success(new ApplicationList(matches, applications.Count, fetchedAt));
    }

    private static string DescribeListFailure(Auth0ApiException ex, string secret)
    {
        var isTokenRequest = ex.Path.EndsWith("/oauth/token", StringComparison.Ordinal);
        var message = ex switch
        {
            { InnerException: Auth0AddressRefusedException refused } => refused.Message,
            { IsInsufficientScope: true } =>
                "Auth0 refused to list applications (403 insufficient_scope): grant the connection's application the read:clients scope.",
            { StatusCode: System.Net.HttpStatusCode.Unauthorized } when isTokenRequest =>
                "Auth0 rejected the connection's client ID or secret. Test the connection and update its credentials.",
            { StatusCode: System.Net.HttpStatusCode.Forbidden } when isTokenRequest =>
                $"Auth0 issued no Management API token ({ex.ApiMessage ?? ex.Error}). Authorize the application for the Auth0 Management API.",
            { IsRateLimited: true } => "Auth0's rate limit was reached while listing applications. Try again in a moment.",
            { StatusCode: null } => $"Auth0 could not be reached: {ex.Message}",
            _ => $"Auth0 answered {(int)ex.StatusCode!} while listing applications: {ex.ApiMessage ?? ex.Error ?? ex.Message}",
        };
        return new SecretScrubber([secret]).ScrubAndTruncate(message, Connection.MaxValidationMessageLength);
    }

    private static ApplicationSummary ToSummary(Auth0Client client) => new(
        client.ClientId,
        string.IsNullOrWhiteSpace(client.Name) ? client.ClientId : client.Name,
        client.AppType,
        client.UsesPrivateKeyJwt ? PrivateKeyJwtAuthMethod : client.TokenEndpointAuthMethod ?? ApplicationSummary.UnknownAuthMethod,
        string.IsNullOrWhiteSpace(client.Description) ? null : client.Description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing applications of connection {ConnectionId} failed: status {Status}, error code {ErrorCode}")]
    private static partial void LogListFailed(ILogger logger, Guid connectionId, int? status, string? errorCode);
}
