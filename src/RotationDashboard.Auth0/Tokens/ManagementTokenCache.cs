using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RotationDashboard.Auth0.Http;

namespace RotationDashboard.Auth0.Tokens;

/// <summary>
/// Management API tokens per connection, cached until shortly before expiry and fetched single-flight: callers
/// that arrive while a fetch is running share it (and its failure), so a wrong secret costs one request, not N.
/// The key includes a keyed hash of the secret, so a changed secret gets its own token.
/// </summary>
internal sealed class ManagementTokenCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly byte[] _secretHashKey = RandomNumberGenerator.GetBytes(32);
    private readonly Auth0HttpExecutor _executor;
    private readonly TenantLimiterRegistry _limiters;
    private readonly Auth0ClientOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public ManagementTokenCache(
        Auth0HttpExecutor executor,
        TenantLimiterRegistry limiters,
        Auth0ClientOptions options,
        TimeProvider timeProvider,
        ILogger logger)
    {
        _executor = executor;
        _limiters = limiters;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async ValueTask<ManagementToken> GetTokenAsync(Auth0ConnectionSettings connection, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(KeyFor(connection), static _ => new Entry());
        Task<ManagementToken> pending;
        lock (entry)
        {
            if (entry.Token is { } cached && _timeProvider.GetUtcNow() < cached.RefreshAt)
                return cached;

            // A completed task here is a failed (or superseded) fetch: start over.
            if (entry.Pending is null || entry.Pending.IsCompleted)
                entry.Pending = FetchAsync(entry, connection);
            pending = entry.Pending;
        }

        // The fetch is shared, so it runs without any one caller's token; each caller can still stop waiting.
        return await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets <paramref name="rejectedToken"/> if it is still the cached one (Auth0 answered 401 to it).</summary>
    public void Invalidate(Auth0ConnectionSettings connection, string rejectedToken)
    {
        if (!_entries.TryGetValue(KeyFor(connection), out var entry))
            return;
        lock (entry)
        {
            if (entry.Token?.AccessToken == rejectedToken)
                entry.Token = null;
        }
    }

    private async Task<ManagementToken> FetchAsync(Entry entry, Auth0ConnectionSettings connection)
    {
        await Task.Yield();
        var request = TokenRequests.WithClientSecret(
            connection.Tenant, connection.ClientId, connection.ClientSecret, connection.Audience,
            ClientSecretAuthentication.ClientSecretPost);
        var limiter = _limiters.For(connection.Tenant, Auth0ApiKind.Authentication);

        var response = await _executor.SendAsync(request, limiter, bearerToken: null, CancellationToken.None).ConfigureAwait(false);
        if (!response.IsSuccess)
            throw Auth0Errors.FromResponse(request, response);

        TokenEndpointResponse? body;
        try
        {
            body = JsonSerializer.Deserialize(response.Body, Auth0JsonContext.Default.TokenEndpointResponse);
        }
        catch (JsonException exception)
        {
            throw MalformedTokenResponse(request, response, exception);
        }

        if (string.IsNullOrEmpty(body?.AccessToken))
            throw MalformedTokenResponse(request, response, null);

        var now = _timeProvider.GetUtcNow();
        // expires_in is required by the spec; an answer without it gets a short life rather than a guessed long one.
        var lifetime = TimeSpan.FromSeconds(body.ExpiresIn is > 0 and var seconds ? seconds : 60);
        var margin = _options.TokenRefreshMargin < lifetime / 2 ? _options.TokenRefreshMargin : lifetime / 2;
        var token = new ManagementToken(body.AccessToken, now + lifetime, now + lifetime - margin,
            TokenEndpointResponse.ParseScopes(body.Scope));

        lock (entry)
            entry.Token = token;
        Auth0Log.TokenObtained(_logger, connection.ClientId, connection.Tenant.ToString(), connection.Audience,
            (long)lifetime.TotalSeconds, string.Join(' ', token.Scopes.Order(StringComparer.Ordinal)));
        PruneExpired(now);
        return token;
    }

    private static Auth0ApiException MalformedTokenResponse(Auth0HttpRequest request, Auth0HttpResponse response, Exception? inner) =>
        new($"Auth0 {request.Method.Method} {request.Path} answered {(int)response.StatusCode} without a usable access_token.",
            request.Method.Method, request.Path, response.StatusCode, attempts: response.Attempts,
            elapsed: response.Elapsed, innerException: inner);

    // Entries for old secrets would otherwise stay forever.
    private void PruneExpired(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries)
        {
            lock (entry)
            {
                if (entry.Token is { } token && token.ExpiresAt <= now && entry.Pending is null or { IsCompleted: true })
                    _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            }
        }
    }

    private string KeyFor(Auth0ConnectionSettings connection)
    {
        var secretHash = Convert.ToHexString(HMACSHA256.HashData(_secretHashKey, Encoding.UTF8.GetBytes(connection.ClientSecret)));
        return string.Join('\n', connection.Tenant.BaseUri.AbsoluteUri, connection.ClientId, connection.Audience, secretHash);
    }

    private sealed class Entry
    {
        public ManagementToken? Token { get; set; }

        public Task<ManagementToken>? Pending { get; set; }
    }
}
