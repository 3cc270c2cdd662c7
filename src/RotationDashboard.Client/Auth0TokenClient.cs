using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RotationDashboard.Client.Internal;

namespace RotationDashboard.Client;

/// <summary>
/// Gets Auth0 access tokens with the client-credentials grant, with zero-downtime credential rotation (seed 000):
/// CURRENT first; when Auth0 answers 401 <c>access_denied</c>/<c>invalid_client</c>, NEXT, which is then promoted to
/// CURRENT. Never falls back on 400, 403, 429 or 5xx: those are configuration problems or transient failures of the
/// same credential (retried a bounded number of times). Thread-safe; caches the token until shortly before it
/// expires and lets concurrent callers share one request.
/// A little over 400 lines on purpose: the fallback, promotion, cache and single-flight rules share one
/// state, and reading them together is what makes the zero-downtime contract checkable.
/// </summary>
public sealed class Auth0TokenClient : IAuth0TokenProvider
{
    private const int MaxErrorDescriptionLength = 300;

    private readonly Func<HttpClient> _httpClient;
    private readonly ICredentialSource _credentials;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ClientAssertionFactory _assertions;
    private readonly SingleFlight<Auth0AccessToken> _sharedRequest = new();
    private readonly Lock _cacheGate = new();
    private readonly string? _scope;
    private readonly ClientSecretAuthentication _secretAuthentication;
    private readonly bool _cacheTokens;
    private readonly TimeSpan _refreshMargin;
    private readonly TimeSpan _requestTimeout;
    private readonly int _maxRetries;
    private readonly TimeSpan _retryBaseDelay;
    private readonly TimeSpan _maxRetryDelay;
    private CachedToken? _cached;

    private sealed record CachedToken(Auth0AccessToken Token, DateTimeOffset RefreshAt);

    /// <summary>The outcome of one credential: a token, or Auth0's credential rejection.</summary>
    private readonly record struct Attempt(Auth0AccessToken? Token, int Status, string? Error, string? ErrorDescription);

    /// <param name="httpClient">Sends the token requests; must not carry an <see cref="Auth0BearerTokenHandler"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="Auth0ClientCredentialsOptionsValidator"/>).</exception>
    public Auth0TokenClient(
        HttpClient httpClient,
        ICredentialSource credentials,
        Auth0ClientCredentialsOptions options,
        TimeProvider? timeProvider = null,
        ILogger<Auth0TokenClient>? logger = null)
        : this(Wrap(httpClient), credentials, options, timeProvider, logger)
    {
    }

    /// <param name="httpClient">Called per request, e.g. <c>() => factory.CreateClient(name)</c>.</param>
    public Auth0TokenClient(
        Func<HttpClient> httpClient,
        ICredentialSource credentials,
        Auth0ClientCredentialsOptions options,
        TimeProvider? timeProvider = null,
        ILogger<Auth0TokenClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(options);
        // The credential source is given separately, so only the transport settings matter here.
        var failures = Auth0ClientCredentialsOptionsValidator.Collect(WithoutSource(options));
        if (failures.Count > 0)
            throw new ArgumentException("Invalid Auth0 client options: " + string.Join(" ", failures), nameof(options));

        _httpClient = httpClient;
        _credentials = credentials;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<Auth0TokenClient>.Instance;
        Urls.TryParseTenant(options.Domain, out var baseUrl, out _);
        TenantBaseUrl = baseUrl;
        TokenEndpoint = new Uri(baseUrl, "oauth/token");
        Audience = string.IsNullOrWhiteSpace(options.Audience) ? new Uri(baseUrl, "api/v2/").AbsoluteUri : options.Audience.Trim();
        _scope = string.IsNullOrWhiteSpace(options.Scope) ? null : options.Scope.Trim();
        _secretAuthentication = options.ClientSecretAuthentication;
        _cacheTokens = options.CacheTokens;
        _refreshMargin = options.TokenRefreshMargin;
        _requestTimeout = options.RequestTimeout;
        _maxRetries = options.MaxRetries;
        _retryBaseDelay = options.RetryBaseDelay;
        _maxRetryDelay = options.MaxRetryDelay;
        _assertions = new ClientAssertionFactory(baseUrl.AbsoluteUri, options.SigningAlgorithm, options.ClientAssertionLifetime, _time);
    }

    /// <summary>The tenant base URL with its trailing slash (also the client-assertion audience).</summary>
    public Uri TenantBaseUrl { get; }

    public Uri TokenEndpoint { get; }

    /// <summary>The API the tokens are for.</summary>
    public string Audience { get; }

    public Task<Auth0AccessToken> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        if (!_cacheTokens)
            return RequestTokenAsync(cancellationToken);

        lock (_cacheGate)
        {
            if (_cached is { } cached && _time.GetUtcNow() < cached.RefreshAt)
                return Task.FromResult(cached.Token);
        }

        // One request for everyone waiting; a caller giving up does not cancel it for the others.
        return _sharedRequest.RunAsync(async () =>
        {
            var token = await RequestTokenAsync(CancellationToken.None);
            lock (_cacheGate)
                _cached = new CachedToken(token, RefreshTime(token));
            return token;
        }, cancellationToken);
    }

    public void InvalidateToken(string accessToken)
    {
        ArgumentNullException.ThrowIfNull(accessToken);
        lock (_cacheGate)
        {
            if (_cached is { } cached && string.Equals(cached.Token.AccessToken, accessToken, StringComparison.Ordinal))
                _cached = null;
        }
    }

    private DateTimeOffset RefreshTime(Auth0AccessToken token)
    {
        var lifetime = token.ExpiresAt - _time.GetUtcNow();
        var margin = TimeSpan.FromTicks(Math.Min(_refreshMargin.Ticks, Math.Max(lifetime.Ticks, 0) / 2));
        return token.ExpiresAt - margin;
    }

    private async Task<Auth0AccessToken> RequestTokenAsync(CancellationToken cancellationToken)
    {
        var offered = await _credentials.GetCredentialsAsync(cancellationToken);
        var rejected = new List<Auth0Credential>(3);

        var attempt = await TryCredentialAsync(offered.Current, cancellationToken);
        if (attempt.Token is { } token)
            return token;
        rejected.Add(offered.Current);

        if (offered.Next is { } next)
        {
            Log.FallingBackToNext(_logger, offered.Current.ToString(), attempt.Status, attempt.Error, next.ToString());
            attempt = await TryCredentialAsync(next, cancellationToken);
            if (attempt.Token is { } nextToken)
            {
                PromoteIn(_credentials, next);
                return nextToken;
            }

            rejected.Add(next);
        }

        // A single-phase rotation may have replaced the credential at the source (e.g. the dashboard) already.
        Log.AllCredentialsRejected(_logger, rejected[^1].ToString(), attempt.Status, attempt.Error);
        Auth0CredentialSet refreshed;
        try
        {
            refreshed = await _credentials.RefreshAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.CredentialRefreshFailed(_logger, exception);
            throw Rejected(rejected[^1], attempt);
        }

        foreach (var (candidate, isNext) in new[] { (refreshed.Current, false), (refreshed.Next, true) })
        {
            if (candidate is null || rejected.Contains(candidate))
                continue;
            Log.TryingRefreshedCredential(_logger, isNext ? "NEXT" : "CURRENT", candidate.ToString());
            attempt = await TryCredentialAsync(candidate, cancellationToken);
            if (attempt.Token is { } refreshedToken)
            {
                if (isNext)
                    PromoteIn(_credentials, candidate);
                return refreshedToken;
            }

            rejected.Add(candidate);
        }

        throw Rejected(rejected[^1], attempt);
    }

    private void PromoteIn(ICredentialSource source, Auth0Credential credential)
    {
        if (source.Promote(credential))
            Log.PromotedNext(_logger, credential.ToString());
    }

    private Auth0TokenException Rejected(Auth0Credential credential, Attempt attempt)
    {
        Log.TokenRequestFailed(_logger, credential.ClientId, attempt.Status, attempt.Error, attempt.ErrorDescription);
        return new Auth0TokenException(
            $"Auth0 rejected every credential offered for client '{credential.ClientId}' ({attempt.Status} {attempt.Error}: {attempt.ErrorDescription}). " +
            "The credentials are wrong or were rotated out; check the application's CURRENT and NEXT credentials.",
            attempt.Status, attempt.Error, attempt.ErrorDescription)
        {
            IsCredentialRejected = true,
            ClientId = credential.ClientId,
        };
    }

    /// <summary>
    /// One credential, retried on 429/5xx/408/timeouts/network errors. Returns the token, or the rejection when Auth0
    /// says the credential is wrong; throws for every other failure.
    /// </summary>
    private async Task<Attempt> TryCredentialAsync(Auth0Credential credential, CancellationToken cancellationToken)
    {
        for (var retry = 0; ; retry++)
        {
            string reason;
            Exception? failure = null;
            TimeSpan? requestedDelay = null;
            int? failedStatus = null;
            OAuthErrorResponse? failedError = null;

            using var request = CreateRequest(credential);
            using var timeout = new CancellationTokenSource(_requestTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                using var response = await _httpClient().SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                    return new Attempt(await ReadTokenAsync(response, credential, linked.Token), status, null, null);

                var error = await ReadErrorAsync(response, linked.Token);
                if (IsCredentialRejection(status, error.Error, credential))
                    return new Attempt(null, status, error.Error, error.ErrorDescription);

                if (status is not (429 or 408 or >= 500))
                    throw Failed(credential, status, error, null);

                failedStatus = status;
                failedError = error;
                reason = $"{status} {error.Error}".TrimEnd();
                if (status == 429)
                    requestedDelay = RetryDelays.RequestedDelay(response.Headers, _time.GetUtcNow());
            }
            catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
            {
                reason = $"no answer within {_requestTimeout.TotalSeconds:0.###} s";
                failure = exception;
            }
            catch (HttpRequestException exception)
            {
                reason = exception.HttpRequestError == HttpRequestError.Unknown ? "network error" : exception.HttpRequestError.ToString();
                failure = exception;
            }

            var delay = requestedDelay ?? RetryDelays.Backoff(_retryBaseDelay, retry, _maxRetryDelay);
            if (retry >= _maxRetries || delay > _maxRetryDelay)
            {
                if (failedStatus is { } lastStatus)
                {
                    var exception = Failed(credential, lastStatus, failedError!, null);
                    throw requestedDelay is null ? exception : WithRetryAfter(exception, requestedDelay.Value);
                }

                Log.TokenRequestFailed(_logger, credential.ClientId, null, null, reason);
                throw new Auth0TokenException(
                    $"Token request for client '{credential.ClientId}' to {TokenEndpoint} failed after {retry + 1} attempt(s): {reason}.",
                    innerException: failure)
                {
                    ClientId = credential.ClientId,
                };
            }

            Log.RetryingTokenRequest(_logger, credential.ClientId, reason, retry + 1, _maxRetries, (long)delay.TotalMilliseconds);
            if (delay > TimeSpan.Zero)
                await Task.Delay(delay, _time, cancellationToken);
        }
    }

    private static Auth0TokenException WithRetryAfter(Auth0TokenException exception, TimeSpan retryAfter) =>
        new(exception.Message + $" Auth0 asked to retry after {retryAfter.TotalSeconds:0.###} s.", exception.StatusCode, exception.Error,
            exception.ErrorDescription)
        {
            ClientId = exception.ClientId,
            RetryAfter = retryAfter,
        };

    private Auth0TokenException Failed(Auth0Credential credential, int status, OAuthErrorResponse error, Exception? inner)
    {
        Log.TokenRequestFailed(_logger, credential.ClientId, status, error.Error, error.ErrorDescription);
        var hint = status switch
        {
            403 => " Check that the application has a client grant for the audience and the scopes, and the client_credentials grant type.",
            400 => " The request was malformed for this tenant.",
            429 => " Auth0's rate limit was hit.",
            >= 500 => " Auth0 kept failing; try again later.",
            _ => "",
        };
        return new Auth0TokenException(
            $"Auth0 refused the token request for client '{credential.ClientId}' and audience '{Audience}': {status} {error.Error}: {error.ErrorDescription}.{hint}",
            status, error.Error, error.ErrorDescription, inner)
        {
            ClientId = credential.ClientId,
        };
    }

    /// <summary>
    /// Auth0's answer to a wrong or rotated-out credential: 401 <c>access_denied</c> (long-standing) or
    /// <c>invalid_client</c> (newer docs). No error code is documented for a bad assertion, so any 401 counts for one.
    /// </summary>
    private static bool IsCredentialRejection(int status, string? error, Auth0Credential credential) =>
        status == (int)HttpStatusCode.Unauthorized
        && (error is "access_denied" or "invalid_client" || credential.Kind == Auth0CredentialKind.PrivateKey);

    private HttpRequestMessage CreateRequest(Auth0Credential credential)
    {
        var form = new List<KeyValuePair<string, string>>(6)
        {
            new("grant_type", "client_credentials"),
            new("client_id", credential.ClientId),
            new("audience", Audience),
        };
        if (_scope is not null)
            form.Add(new("scope", _scope));

        var request = new HttpRequestMessage(HttpMethod.Post, TokenEndpoint);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (credential.Kind == Auth0CredentialKind.PrivateKey)
        {
            form.Add(new("client_assertion_type", ClientAssertionFactory.AssertionType));
            form.Add(new("client_assertion", _assertions.Create(credential)));
        }
        else if (_secretAuthentication == ClientSecretAuthentication.ClientSecretBasic)
        {
            // Auth0 documents base64(client_id:client_secret) without form-encoding the parts.
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.ClientId}:{credential.ClientSecret}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        }
        else
        {
            form.Add(new("client_secret", credential.ClientSecret!));
        }

        request.Content = new FormUrlEncodedContent(form);
        return request;
    }

    private async Task<Auth0AccessToken> ReadTokenAsync(HttpResponseMessage response, Auth0Credential credential, CancellationToken cancellationToken)
    {
        TokenResponse? body = null;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            body = await JsonSerializer.DeserializeAsync(stream, ClientJsonContext.Default.TokenResponse, cancellationToken);
        }
        catch (JsonException)
        {
            // Reported below without the body: it may hold a token.
        }

        if (body is not { AccessToken.Length: > 0, ExpiresIn: > 0 })
        {
            throw new Auth0TokenException(
                $"The token endpoint {TokenEndpoint} answered {(int)response.StatusCode} without a usable access_token and expires_in.",
                (int)response.StatusCode)
            {
                ClientId = credential.ClientId,
            };
        }

        var token = new Auth0AccessToken(body.AccessToken!, body.TokenType ?? "Bearer", _time.GetUtcNow().AddSeconds(body.ExpiresIn!.Value), body.Scope);
        Log.TokenIssued(_logger, credential.ClientId, Audience, token.ExpiresAt);
        return token;
    }

    private static async Task<OAuthErrorResponse> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var body = JsonSerializer.Deserialize(text, ClientJsonContext.Default.OAuthErrorResponse);
            return new OAuthErrorResponse(Truncate(body?.Error, 64), Truncate(body?.ErrorDescription, MaxErrorDescriptionLength));
        }
        catch (JsonException)
        {
            // Not Auth0's JSON (a proxy page, say): the status alone has to do.
            return new OAuthErrorResponse(null, response.ReasonPhrase);
        }
    }

    private static string? Truncate(string? text, int length) => text is null || text.Length <= length ? text : text[..length] + "…";

    private static Auth0ClientCredentialsOptions WithoutSource(Auth0ClientCredentialsOptions options) => new()
    {
        Domain = options.Domain,
        ClientId = options.ClientId,
        Audience = options.Audience,
        Scope = options.Scope,
        ClientSecretAuthentication = options.ClientSecretAuthentication,
        SigningAlgorithm = options.SigningAlgorithm,
        ClientAssertionLifetime = options.ClientAssertionLifetime,
        CacheTokens = options.CacheTokens,
        TokenRefreshMargin = options.TokenRefreshMargin,
        RequestTimeout = options.RequestTimeout,
        MaxRetries = options.MaxRetries,
        RetryBaseDelay = options.RetryBaseDelay,
        MaxRetryDelay = options.MaxRetryDelay,
        AllowInsecureHttp = options.AllowInsecureHttp,
        SourceKind = CredentialSourceKind.Custom,
    };

    private static Func<HttpClient> Wrap(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        return () => httpClient;
    }
}
