using Microsoft.Extensions.Options;
using RotationDashboard.Auth0;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Connections;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.Application.Rotations;

/// <summary>
/// The read-only pre-flight in Auth0 before a rotation is created or pointed at another application: the connection
/// works and has the scopes the rotation type needs, and the application exists and fits the type.
/// </summary>
public sealed partial class Auth0ApplicationCheck(
    IAuth0ConnectionResolver connections,
    IAuth0ManagementClientFactory managementClients,
    IOptions<SignInOptions> signIn,
    ILogger<Auth0ApplicationCheck> logger)
{
    /// <summary>Management API scopes a client-secret rotation needs (picker and PATCH of the secret).</summary>
    public static IReadOnlyList<string> ClientSecretScopes { get; } = [Auth0ManagementScopes.ReadClients, Auth0ManagementScopes.UpdateClientKeys];

    /// <summary>Management API scopes a Private Key JWT rotation needs (credentials and attaching them).</summary>
    public static IReadOnlyList<string> PrivateKeyJwtScopes { get; } =
    [
        Auth0ManagementScopes.ReadClientCredentials, Auth0ManagementScopes.CreateClientCredentials,
        Auth0ManagementScopes.UpdateClientCredentials, Auth0ManagementScopes.DeleteClientCredentials, Auth0ManagementScopes.UpdateClients,
    ];

    private static readonly string[] ClientFields = ["client_id", "name", "app_type", "token_endpoint_auth_method", "client_authentication_methods"];

    public static IReadOnlyList<string> RequiredScopes(RotationType type) =>
        type == RotationType.Auth0PrivateKeyJwt ? PrivateKeyJwtScopes : ClientSecretScopes;

    /// <summary>Read-only checks in Auth0: the connection works and has the scopes, the application exists and fits the type.</summary>
    /// <returns>
    /// <c>Unavailable</c> is set when Auth0 could not answer (down, overloaded, rate limiting): not the input's fault,
    /// so it is not reported on a field.
    /// </returns>
    public async Task<(ValidationErrors Errors, string? Name, OperationFailure? Unavailable)> CheckAsync(
        Connection connection,
        RotationType type,
        string clientId,
        bool switchToPrivateKeyJwt,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        string? name = null;
        if (string.Equals(clientId, connection.ClientId, StringComparison.Ordinal))
        {
            errors.Add("parameters.clientId", "This is the connection's own application; rotating its credential would lock the connection out.");
            return (errors, name, null);
        }

        if (string.Equals(clientId, signIn.Value.SignInClientId, StringComparison.Ordinal))
        {
            errors.Add("parameters.clientId", "This is the dashboard's own sign-in application; rotating its credential would lock everyone out of the dashboard.");
            return (errors, name, null);
        }

        IAuth0ManagementClient management;
        try
        {
            management = managementClients.Create(connections.ToSettings(connection));
        }
        catch (Exception exception) when (exception is SecretDecryptionException or FormatException or InvalidOperationException)
        {
            errors.Add("connectionId", $"The connection cannot be used: {SecretScrubber.Patterns.Scrub(exception.Message)}");
            return (errors, name, null);
        }

        try
        {
            var granted = await management.GetGrantedScopesAsync(cancellationToken);
            var missing = Auth0ManagementScopes.FindMissing(granted, RequiredScopes(type));
            if (missing.Count > 0)
            {
                errors.Add("connectionId", $"The connection's application lacks the Management API scope(s) this rotation needs: {string.Join(", ", missing)}.");
                return (errors, name, null);
            }

            var client = await management.GetClientAsync(clientId, ClientFields, cancellationToken);
            name = client.Name;
            var isPublic = client.TokenEndpointAuthMethod == Auth0TokenEndpointAuthMethods.None && !client.UsesPrivateKeyJwt;
            if (isPublic || client.AppType is "native" or "spa")
            {
                errors.Add("parameters.clientId", $"Application \"{client.Name ?? clientId}\" is a public application; it has no credential to rotate.");
            }
            else if (type == RotationType.Auth0ClientSecret && client.UsesPrivateKeyJwt)
            {
                errors.Add("parameters.clientId",
                    $"Application \"{client.Name ?? clientId}\" authenticates with Private Key JWT, so it has no client secret to rotate. Use an {RotationSlugs.Auth0PrivateKeyJwt} rotation.");
            }
            else if (type == RotationType.Auth0PrivateKeyJwt && !client.UsesPrivateKeyJwt && !switchToPrivateKeyJwt)
            {
                errors.Add("switchToPrivateKeyJwt",
                    $"Application \"{client.Name ?? clientId}\" authenticates with a client secret today. Switching it to Private Key JWT breaks every " +
                    "consumer that still uses the secret; set switchToPrivateKeyJwt to switch it anyway.");
            }
            else if (type == RotationType.Auth0PrivateKeyJwt && client.PrivateKeyJwtCredentialIds.Count >= 2)
            {
                errors.Add("parameters.clientId",
                    $"Application \"{client.Name ?? clientId}\" already has two Private Key JWT credentials attached, the most Auth0 allows. Detach one first.");
            }
        }
        catch (Auth0ApiException exception) when (exception.IsNotFound)
        {
            errors.Add("parameters.clientId", $"Application \"{clientId}\" was not found in the tenant.");
        }
        catch (Auth0ApiException exception) when (IsUnavailable(exception))
        {
            LogAuth0Unavailable(logger, clientId, (int?)exception.StatusCode);
            var retryAfter = exception.RateLimit?.RetryAfter ?? ApiRetryAfterWhenUnknown;
            return (errors, name, new OperationFailure(OperationFailureKind.Unavailable,
                $"Auth0 is unavailable ({(exception.IsRateLimited ? "rate limited" : exception.StatusCode is { } status ? $"HTTP {(int)status}" : "no answer")}); " +
                "nothing was created or changed. Send the same request again later.",
                new Dictionary<string, string[]>(), retryAfter));
        }
        catch (Auth0ApiException exception)
        {
            errors.Add("connectionId", $"Auth0 could not be asked through this connection: {SecretScrubber.Patterns.Scrub(exception.Message)}");
        }

        return (errors, name, null);
    }

    private static readonly TimeSpan ApiRetryAfterWhenUnknown = TimeSpan.FromSeconds(30);

    /// <summary>Auth0 could not answer now (429, 5xx, timeouts), as opposed to refusing the request or the connection.</summary>
    private static bool IsUnavailable(Auth0ApiException exception) =>
        exception.IsRateLimited || exception.StatusCode is null || (int)exception.StatusCode >= 500 || (exception.IsTransient && exception.StatusCode is not System.Net.HttpStatusCode.Unauthorized and not System.Net.HttpStatusCode.Forbidden);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth0 was unavailable checking application {ClientId} (HTTP {Status}); nothing was changed")]
    private static partial void LogAuth0Unavailable(ILogger logger, string clientId, int? status);
}
