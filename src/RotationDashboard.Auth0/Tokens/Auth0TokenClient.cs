using System.Text.Json;
using RotationDashboard.Auth0.Http;
using RotationDashboard.Auth0.Tokens;

namespace RotationDashboard.Auth0;

/// <summary>
/// Single-attempt client_credentials token requests, classified instead of thrown, for verifying a credential.
/// No automatic retry: a Transient result carries the rate-limit headers and the caller's loop decides.
/// </summary>
public interface IAuth0TokenClient
{
    /// <param name="audience">Defaults to the tenant's Management API audience; a client without a grant for it gets
    /// 403, which still proves the credential.</param>
    Task<Auth0TokenResult> RequestTokenWithSecretAsync(
        Auth0TenantAddress tenant,
        string clientId,
        string clientSecret,
        ClientSecretAuthentication method = ClientSecretAuthentication.ClientSecretPost,
        string? audience = null,
        CancellationToken cancellationToken = default);

    /// <summary>Sends a private_key_jwt assertion (see <see cref="ClientAssertionFactory"/>).</summary>
    Task<Auth0TokenResult> RequestTokenWithAssertionAsync(
        Auth0TenantAddress tenant,
        string clientId,
        string clientAssertion,
        string? audience = null,
        CancellationToken cancellationToken = default);
}

internal sealed class Auth0TokenClient(Auth0ClientRuntime runtime) : IAuth0TokenClient
{
    public Task<Auth0TokenResult> RequestTokenWithSecretAsync(
        Auth0TenantAddress tenant,
        string clientId,
        string clientSecret,
        ClientSecretAuthentication method = ClientSecretAuthentication.ClientSecretPost,
        string? audience = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        ArgumentException.ThrowIfNullOrEmpty(clientSecret);
        var request = TokenRequests.WithClientSecret(tenant, clientId, clientSecret, AudienceFor(tenant, audience), method);
        return SendAsync(tenant, request, cancellationToken);
    }

    public Task<Auth0TokenResult> RequestTokenWithAssertionAsync(
        Auth0TenantAddress tenant,
        string clientId,
        string clientAssertion,
        string? audience = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        ArgumentException.ThrowIfNullOrEmpty(clientAssertion);
        var request = TokenRequests.WithClientAssertion(tenant, clientId, clientAssertion, AudienceFor(tenant, audience));
        return SendAsync(tenant, request, cancellationToken);
    }

    private static string AudienceFor(Auth0TenantAddress tenant, string? audience) =>
        string.IsNullOrWhiteSpace(audience) ? tenant.ManagementApiAudience : Auth0TenantAddress.NormalizeAudience(audience);

    private async Task<Auth0TokenResult> SendAsync(Auth0TenantAddress tenant, Auth0HttpRequest request, CancellationToken cancellationToken)
    {
        Auth0HttpResponse response;
        try
        {
            var limiter = runtime.Limiters.For(tenant, Auth0ApiKind.Authentication);
            response = await runtime.Executor.SendAsync(request, limiter, bearerToken: null, cancellationToken, allowRetry: false)
                .ConfigureAwait(false);
        }
        catch (Auth0ApiException exception) when (exception.InnerException is Auth0AddressRefusedException)
        {
            return new Auth0TokenResult(new TokenCheckResult(TokenCheckOutcome.Rejected, null, "address_refused", exception.Message));
        }
        catch (Auth0ApiException exception) when (exception.StatusCode is null)
        {
            var error = exception.InnerException is TimeoutException ? "timeout" : "network_error";
            return new Auth0TokenResult(new TokenCheckResult(TokenCheckOutcome.Transient, null, error, exception.Message));
        }

        var body = Auth0ErrorBody.Parse(response.Body);
        var check = new TokenCheckResult(
            TokenCheckResult.Classify(response.StatusCode, body.Error),
            response.StatusCode,
            Auth0Errors.Redact(body.Error, request.SensitiveValues),
            Auth0Errors.Redact(body.Message, request.SensitiveValues),
            response.RateLimit);

        if (check.Outcome != TokenCheckOutcome.Valid)
            return new Auth0TokenResult(check);

        TokenEndpointResponse? token = null;
        try
        {
            token = JsonSerializer.Deserialize(response.Body, Auth0JsonContext.Default.TokenEndpointResponse);
        }
        catch (JsonException)
        {
        }

        if (string.IsNullOrEmpty(token?.AccessToken))
        {
            return new Auth0TokenResult(check with
            {
                Outcome = TokenCheckOutcome.Rejected,
                ErrorDescription = "Auth0 answered success without an access_token.",
            });
        }

        return new Auth0TokenResult(
            check,
            token.AccessToken,
            token.ExpiresIn is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            TokenEndpointResponse.ParseScopes(token.Scope));
    }
}
