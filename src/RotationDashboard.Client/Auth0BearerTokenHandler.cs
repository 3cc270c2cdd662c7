using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RotationDashboard.Client.Internal;

namespace RotationDashboard.Client;

/// <summary>
/// Adds <c>Authorization: Bearer {access token}</c> to outgoing requests. When the API answers 401, the token is
/// dropped from the cache and the request is sent once more with a fresh one, if its body can be sent again.
/// </summary>
public sealed class Auth0BearerTokenHandler : DelegatingHandler
{
    private readonly IAuth0TokenProvider _tokens;
    private readonly ILogger _logger;

    public Auth0BearerTokenHandler(IAuth0TokenProvider tokens, ILogger<Auth0BearerTokenHandler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        _tokens = tokens;
        _logger = logger ?? NullLogger<Auth0BearerTokenHandler>.Instance;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await _tokens.GetTokenAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !IsReplayable(request.Content))
            return response;

        // The token may have been revoked or the API's signing keys rotated: one retry with a fresh token.
        Log.RetryingWithNewToken(_logger, request.Method.Method, request.RequestUri?.AbsolutePath);
        response.Dispose();
        _tokens.InvalidateToken(token.AccessToken);
        var fresh = await _tokens.GetTokenAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fresh.AccessToken);
        return await base.SendAsync(request, cancellationToken);
    }

    /// <summary>Bodies held in memory (or produced again on each send) can go out twice; streams cannot.</summary>
    private static bool IsReplayable(HttpContent? content) =>
        content is null or ByteArrayContent or ReadOnlyMemoryContent or JsonContent;
}
