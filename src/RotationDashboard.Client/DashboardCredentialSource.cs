using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RotationDashboard.Client.Internal;

namespace RotationDashboard.Client;

/// <summary>
/// Reads CURRENT and NEXT from the Rotation Dashboard's consumer read API: the rotation's whole credential set in one
/// request (<c>GET {dashboard}api/v1/consumer/credential-sets/{key}?projectId&amp;environment&amp;secretPath</c>), so the
/// client id, secret or private key and key id always come from one snapshot. A dashboard without that read (404, an
/// older version, or secrets no rotation manages) is read secret by secret
/// (<c>GET {dashboard}api/v1/consumer/secrets/{key}</c>), tried again after <see cref="CredentialSetRetryInterval"/>. The values are cached,
/// re-read in the background every <see cref="DashboardCredentialSourceOptions.RefreshInterval"/>, and re-read at once
/// when Auth0 rejects them (at most every <see cref="DashboardCredentialSourceOptions.MinRefreshInterval"/>), so even
/// a single-phase rotation recovers as soon as the dashboard publishes the new value. One read at a time.
/// </summary>
public sealed class DashboardCredentialSource : ICredentialSource, IAsyncDisposable, IDisposable
{
    /// <summary>After a dashboard had no credential set for the keys, how long secrets are read one by one before it is asked again.</summary>
    public static readonly TimeSpan CredentialSetRetryInterval = TimeSpan.FromMinutes(10);

    private readonly Func<HttpClient> _httpClient;
    private readonly DashboardCredentialSourceOptions _options;
    private readonly Uri _dashboardUrl;
    private readonly string? _clientId;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CredentialRotationState _state = new();
    private readonly SingleFlight<Auth0CredentialSet> _sharedRead = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly ITimer _timer;
    private long _lastReadTimestamp;
    private long _credentialSetUnavailableTimestamp;
    private Auth0CredentialSet? _lastPublished;

    /// <param name="httpClient">Reaches the dashboard; the source adds the API token itself.</param>
    /// <param name="clientId">The client id when <see cref="DashboardCredentialSourceOptions.ClientIdKey"/> is not set.</param>
    public DashboardCredentialSource(
        HttpClient httpClient,
        DashboardCredentialSourceOptions options,
        string? clientId = null,
        TimeProvider? timeProvider = null,
        ILogger<DashboardCredentialSource>? logger = null)
        : this(Wrap(httpClient), options, clientId, timeProvider, logger)
    {
    }

    /// <param name="httpClient">Called per read, e.g. <c>() => factory.CreateClient(name)</c>.</param>
    public DashboardCredentialSource(
        Func<HttpClient> httpClient,
        DashboardCredentialSourceOptions options,
        string? clientId = null,
        TimeProvider? timeProvider = null,
        ILogger<DashboardCredentialSource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Auth0ClientCredentialsOptionsValidator.ValidateDashboard(options, clientId, failures);
        if (failures.Count > 0)
            throw new ArgumentException("Invalid dashboard credential source options: " + string.Join(" ", failures), nameof(options));

        _httpClient = httpClient;
        _options = options;
        Urls.TryNormalizeBase(options.Url!, out _dashboardUrl, out _);
        _clientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId.Trim();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<DashboardCredentialSource>.Instance;
        _timer = _time.CreateTimer(_ => _ = RefreshInBackgroundAsync(), null, options.RefreshInterval, options.RefreshInterval);
    }

    /// <summary>What the source offers now; null before the first successful read.</summary>
    public Auth0CredentialSet? Credentials => _state.Offered;

    /// <summary>The cached credentials; the first call reads the dashboard and throws if that fails.</summary>
    /// <exception cref="DashboardCredentialException">The first read failed (unreachable, 401/403, 404, unusable value).</exception>
    public async ValueTask<Auth0CredentialSet> GetCredentialsAsync(CancellationToken cancellationToken = default) =>
        _state.Offered ?? await ReadSharedAsync(cancellationToken);

    /// <summary>Re-reads the dashboard now (unless it was read within <see cref="DashboardCredentialSourceOptions.MinRefreshInterval"/>).</summary>
    /// <exception cref="DashboardCredentialException">The read failed and nothing was read before.</exception>
    public async ValueTask<Auth0CredentialSet> RefreshAsync(CancellationToken cancellationToken = default)
    {
        if (_state.Offered is { } offered && _time.GetElapsedTime(Interlocked.Read(ref _lastReadTimestamp)) < _options.MinRefreshInterval)
            return offered;
        try
        {
            return await ReadSharedAsync(cancellationToken);
        }
        catch (Exception exception) when (_state.Offered is { } known && exception is not OperationCanceledException)
        {
            Log.DashboardRefreshFailed(_logger, exception.Message, exception);
            return known;
        }
    }

    public bool Promote(Auth0Credential credential) => _state.Promote(credential);

    public void Dispose()
    {
        // The token source is only cancelled, never disposed: a read still in flight may be linking to its token.
        if (_disposed.IsCancellationRequested)
            return;
        _timer.Dispose();
        _disposed.Cancel();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task RefreshInBackgroundAsync()
    {
        try
        {
            await ReadSharedAsync(CancellationToken.None);
        }
        catch (Exception exception) when (_disposed.IsCancellationRequested && exception is ObjectDisposedException or OperationCanceledException)
        {
            // Disposed while the timer fired.
        }
        catch (Exception exception)
        {
            Log.DashboardRefreshFailed(_logger, exception.Message, exception);
        }
    }

    private Task<Auth0CredentialSet> ReadSharedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        return _sharedRead.RunAsync(ReadAsync, cancellationToken);
    }

    private async Task<Auth0CredentialSet> ReadAsync()
    {
        var cancellationToken = _disposed.Token;
        var published = await ReadCredentialSetAsync(cancellationToken) ?? await ReadSecretBySecretAsync(cancellationToken);

        Interlocked.Exchange(ref _lastReadTimestamp, _time.GetTimestamp());
        var offered = _state.Accept(published);
        if (!published.Equals(Interlocked.Exchange(ref _lastPublished, published)))
            Log.DashboardCredentialsChanged(_logger, published.Current.ClientId, published.Current.Version, published.Next?.Version);
        return offered;
    }

    private string CredentialKey => _options.ClientSecretKey is { Length: > 0 } secretKey ? secretKey : _options.PrivateKeyKey!;

    /// <summary>The rotation's credential set in one request; null when the dashboard has none for the configured keys.</summary>
    private async Task<Auth0CredentialSet?> ReadCredentialSetAsync(CancellationToken cancellationToken)
    {
        var unavailableSince = Interlocked.Read(ref _credentialSetUnavailableTimestamp);
        if (unavailableSince != 0 && _time.GetElapsedTime(unavailableSince) < CredentialSetRetryInterval)
            return null;

        var key = CredentialKey;
        var body = await GetAsync("credential-sets", key, ClientJsonContext.Default.ConsumerCredentialSetResponse, notFoundIsNull: true, cancellationToken);
        if (body is null)
            return CredentialSetUnavailable(key, "the dashboard answered 404 or no credential set");
        if (body.CredentialSet is not { SecretsMapping: { } mapping, Current: { } current } set)
            throw new DashboardCredentialException($"The dashboard's credential set for secret '{key}' has no current value.", 200, key);
        if (!MatchesConfiguredKeys(mapping))
            return CredentialSetUnavailable(key, "the rotation maps other secret names than the ones configured");

        var currentCredential = FromCredentialSet(current, key, "current");
        return set.Next is { } next
            ? new Auth0CredentialSet(currentCredential, FromCredentialSet(next, key, "next"))
            : new Auth0CredentialSet(currentCredential);
    }

    private Auth0CredentialSet? CredentialSetUnavailable(string key, string reason)
    {
        Interlocked.Exchange(ref _credentialSetUnavailableTimestamp, _time.GetTimestamp());
        Log.DashboardCredentialSetUnavailable(_logger, key, reason, CredentialSetRetryInterval.TotalMinutes);
        return null;
    }

    private bool MatchesConfiguredKeys(ConsumerSecretsMapping mapping)
    {
        static bool Same(string? configured, string? mapped) => string.Equals(configured, mapped, StringComparison.Ordinal);
        var clientIdMatches = _options.ClientIdKey is not { Length: > 0 } clientIdKey || Same(clientIdKey, mapping.ClientId);
        if (_options.ClientSecretKey is { Length: > 0 } secretKey)
            return clientIdMatches && Same(secretKey, mapping.ClientSecret);
        var keyIdMatches = _options.KeyIdKey is not { Length: > 0 } keyIdKey || Same(keyIdKey, mapping.KeyId);
        return clientIdMatches && keyIdMatches && Same(_options.PrivateKeyKey, mapping.PrivateKey);
    }

    private Auth0Credential FromCredentialSet(ConsumerCredential credential, string key, string slot)
    {
        var clientId = _options.ClientIdKey is { Length: > 0 } ? credential.ClientId : _clientId;
        if (string.IsNullOrEmpty(clientId))
            throw new DashboardCredentialException($"The dashboard's credential set for secret '{key}' has no {slot} client id.", 200, key);
        var label = VersionLabel(credential.Version, credential.VersionId);
        if (_options.ClientSecretKey is { Length: > 0 })
        {
            return credential.ClientSecret is { Length: > 0 } secret
                ? Auth0Credential.FromClientSecret(clientId, secret, label)
                : throw new DashboardCredentialException($"The dashboard's credential set for secret '{key}' has no {slot} client secret.", 200, key);
        }

        if (credential.PrivateKey is not { Length: > 0 } pem)
            throw new DashboardCredentialException($"The dashboard's credential set for secret '{key}' has no {slot} private key.", 200, key);
        return PrivateKey(clientId, key, pem, _options.KeyIdKey is { Length: > 0 } ? credential.KeyId : null, label, slot);
    }

    /// <summary>
    /// One request per secret, for dashboards without the credential-set read. A promotion may land between two of them;
    /// NEXT then pairs each secret's NEXT (or CURRENT) so that one of the two credentials offered still works.
    /// </summary>
    private async Task<Auth0CredentialSet> ReadSecretBySecretAsync(CancellationToken cancellationToken)
    {
        var keys = new List<string>(4);
        if (_options.ClientIdKey is { Length: > 0 } clientIdKey)
            keys.Add(clientIdKey);
        var secretKey = _options.ClientSecretKey is { Length: > 0 } ? _options.ClientSecretKey : null;
        keys.Add(secretKey ?? _options.PrivateKeyKey!);
        if (secretKey is null && _options.KeyIdKey is { Length: > 0 } keyIdKey)
            keys.Add(keyIdKey);

        var secrets = await Task.WhenAll(keys.Select(key => ReadSecretAsync(key, cancellationToken)));
        var byKey = keys.Zip(secrets).ToDictionary(pair => pair.First, pair => pair.Second, StringComparer.Ordinal);
        return Build(byKey);
    }

    private Auth0CredentialSet Build(Dictionary<string, SecretVersions> secrets)
    {
        (string Current, string Next) ClientIds()
        {
            if (_options.ClientIdKey is { Length: > 0 } key)
                return (secrets[key].Current.Value, (secrets[key].Next ?? secrets[key].Current).Value);
            return (_clientId!, _clientId!);
        }

        var (currentClientId, nextClientId) = ClientIds();
        if (_options.ClientSecretKey is { Length: > 0 } secretKey)
        {
            var secret = secrets[secretKey];
            var current = Auth0Credential.FromClientSecret(currentClientId, secret.Current.Value, VersionLabel(secret.Current));
            var nextVersion = secret.Next ?? secret.Current;
            var next = HasNext(secrets) ? Auth0Credential.FromClientSecret(nextClientId, nextVersion.Value, VersionLabel(nextVersion)) : null;
            return new Auth0CredentialSet(current, next);
        }

        var privateKeyKey = _options.PrivateKeyKey!;
        var key = secrets[privateKeyKey];
        var keyId = _options.KeyIdKey is { Length: > 0 } keyIdKey ? secrets[keyIdKey] : null;
        var currentKey = PrivateKey(currentClientId, privateKeyKey, key.Current.Value, keyId?.Current.Value, VersionLabel(key.Current), "current");
        if (!HasNext(secrets))
            return new Auth0CredentialSet(currentKey);
        var nextPem = key.Next ?? key.Current;
        var nextKey = PrivateKey(nextClientId, privateKeyKey, nextPem.Value, (keyId?.Next ?? keyId?.Current)?.Value, VersionLabel(nextPem), "next");
        return new Auth0CredentialSet(currentKey, nextKey);
    }

    private static bool HasNext(Dictionary<string, SecretVersions> secrets) => secrets.Values.Any(s => s.Next is not null);

    private static Auth0Credential PrivateKey(string clientId, string key, string pem, string? keyId, string version, string slot)
    {
        try
        {
            return Auth0Credential.FromPrivateKey(clientId, pem, keyId, version);
        }
        catch (ArgumentException exception)
        {
            throw new DashboardCredentialException(
                $"The {slot} value of dashboard secret '{key}' is not a usable private key. {exception.Message.Split(" (Parameter", 2)[0]}",
                secretKey: key);
        }
    }

    private static string VersionLabel(SecretVersion version) => VersionLabel(version.Version, version.VersionId);

    private static string VersionLabel(int? version, string? versionId) => version is { } number ? $"v{number}" : versionId ?? "unversioned";

    private sealed record SecretVersion(string Value, string? VersionId, int? Version);

    private sealed record SecretVersions(SecretVersion Current, SecretVersion? Next);

    private async Task<SecretVersions> ReadSecretAsync(string key, CancellationToken cancellationToken)
    {
        var body = await GetAsync("secrets", key, ClientJsonContext.Default.ConsumerSecretResponse, notFoundIsNull: false, cancellationToken);
        if (body?.Secret?.Current is not { Value.Length: > 0 } current)
            throw new DashboardCredentialException($"The dashboard's answer for secret '{key}' has no current value.", 200, key);
        var next = body.Secret.Next is { Value.Length: > 0 } published ? ToVersion(published) : null;
        return new SecretVersions(ToVersion(current), next);
    }

    /// <summary>
    /// <c>GET api/v1/consumer/{resource}/{key}</c>; null for a body that is not the expected JSON, and for a 404 when
    /// <paramref name="notFoundIsNull"/>. Other failures throw a <see cref="DashboardCredentialException"/> naming the key.
    /// </summary>
    private async Task<T?> GetAsync<T>(string resource, string key, JsonTypeInfo<T> type, bool notFoundIsNull, CancellationToken cancellationToken)
        where T : class
    {
        var uri = new Uri(_dashboardUrl,
            $"api/v1/consumer/{resource}/{Uri.EscapeDataString(key)}?projectId={Uri.EscapeDataString(_options.ProjectId!)}" +
            $"&environment={Uri.EscapeDataString(_options.Environment!)}&secretPath={Uri.EscapeDataString(_options.SecretPath)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        HttpResponseMessage response;
        try
        {
            response = await _httpClient().SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DashboardCredentialException(
                $"The dashboard at {_dashboardUrl} did not answer within {_options.RequestTimeout.TotalSeconds:0.###} s reading secret '{key}'.",
                secretKey: key, innerException: exception);
        }
        catch (HttpRequestException exception)
        {
            throw new DashboardCredentialException($"The dashboard at {_dashboardUrl} could not be reached reading secret '{key}': {exception.Message}",
                secretKey: key, innerException: exception);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var where = $"project {_options.ProjectId}, environment '{_options.Environment}', path '{_options.SecretPath}'";
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    break;
                case HttpStatusCode.NotFound when notFoundIsNull:
                    return null;
                case HttpStatusCode.NotFound:
                    throw new DashboardCredentialException($"The dashboard has no secret '{key}' in {where} (404).", status, key);
                case HttpStatusCode.Unauthorized:
                    throw new DashboardCredentialException(
                        $"The dashboard rejected the API token reading secret '{key}' (401): it is wrong, expired or revoked.", status, key);
                case HttpStatusCode.Forbidden:
                    throw new DashboardCredentialException(
                        $"The dashboard API token may not read secret '{key}' in {where} (403): it needs secrets:read on that path.", status, key);
                default:
                    throw new DashboardCredentialException($"The dashboard answered {status} reading secret '{key}' in {where}.", status, key);
            }

            try
            {
                await using var stream = await response.Content.ReadAsStreamAsync(linked.Token);
                return await JsonSerializer.DeserializeAsync(stream, type, linked.Token);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    private static SecretVersion ToVersion(ConsumerSecretVersion version) => new(version.Value!, version.VersionId, version.Version);

    private static Func<HttpClient> Wrap(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        return () => httpClient;
    }
}
