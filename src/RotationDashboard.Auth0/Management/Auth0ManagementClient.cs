using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using RotationDashboard.Auth0.Http;
using RotationDashboard.Auth0.Tokens;

namespace RotationDashboard.Auth0.Management;

internal sealed class Auth0ManagementClient : IAuth0ManagementClient
{
    private readonly Auth0ClientRuntime _runtime;
    private readonly TenantRequestLimiter _limiter;

    public Auth0ManagementClient(Auth0ConnectionSettings connection, Auth0ClientRuntime runtime)
    {
        Connection = connection;
        _runtime = runtime;
        _limiter = runtime.Limiters.For(connection.Tenant, Auth0ApiKind.Management);
    }

    public Auth0ConnectionSettings Connection { get; }

    public async Task<IReadOnlySet<string>> GetGrantedScopesAsync(CancellationToken cancellationToken = default) =>
        (await _runtime.Tokens.GetTokenAsync(Connection, cancellationToken).ConfigureAwait(false)).Scopes;

    public async Task<Auth0ClientPage> ListClientsAsync(ListClientsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();

        var query = new QueryBuilder()
            .Add("page", request.Page)
            .Add("per_page", request.PerPage)
            .Add("include_totals", request.IncludeTotals)
            .Add("fields", request.Fields)
            .Add("include_fields", request.IncludeFields)
            .Add("app_type", request.AppTypes)
            .Add("is_global", request.IsGlobal);
        var (httpRequest, response) = await SendAsync(HttpMethod.Get, "clients" + query, null, cancellationToken).ConfigureAwait(false);

        // include_totals=true gives {start,limit,total,clients}; without it Auth0 sends a bare array.
        if (FirstJsonToken(response.Body) == (byte)'[')
        {
            var clients = Read(httpRequest, response, Auth0JsonContext.Default.ListAuth0Client);
            return new Auth0ClientPage(clients, (request.Page ?? 0) * (request.PerPage ?? clients.Count), clients.Count, null);
        }

        var page = Read(httpRequest, response, Auth0JsonContext.Default.Auth0ClientListResponse);
        return new Auth0ClientPage(page.Clients, page.Start, page.Limit, page.Total);
    }

    /// <summary>
    /// The most pages <see cref="ListAllClientsAsync"/> reads: 100 pages of 100 = 10,000 applications, far more than a
    /// tenant whose applications are picked from a list has, yet a bound on the requests (and memory) a hostile or
    /// broken tenant can cause with a total that keeps growing or pages that never end.
    /// </summary>
    internal const int MaxListedClientPages = 100;

    public async Task<IReadOnlyList<Auth0Client>> ListAllClientsAsync(ListClientsRequest? filter = null, CancellationToken cancellationToken = default)
    {
        const int perPage = ListClientsRequest.MaxPerPage;
        var baseRequest = WithClientId(filter ?? new ListClientsRequest()) with { PerPage = perPage, IncludeTotals = true };
        var clients = new List<Auth0Client>();

        for (var page = 0; ; page++)
        {
            if (page == MaxListedClientPages)
            {
                // A partial list would look complete to the picker: fail instead of truncating.
                const int maxClients = MaxListedClientPages * perPage;
                var path = new Uri(Connection.Tenant.ManagementApiBase, "clients").AbsolutePath;
                throw new Auth0ApiException(
                    $"Auth0 GET {path} still had applications after {MaxListedClientPages} pages: the tenant lists more than " +
                    $"{maxClients} applications (or its paging does not end), so the list was not read to the end.",
                    "GET", path);
            }

            var result = await ListClientsAsync(baseRequest with { Page = page }, cancellationToken).ConfigureAwait(false);
            clients.AddRange(result.Clients);

            // Stop on total (saves the SDK's extra empty-page request); an empty or short page ends it too,
            // in case clients were deleted meanwhile or totals were not honoured.
            var done = result.Total is { } total
                ? clients.Count >= total || result.Clients.Count == 0
                : result.Clients.Count < perPage;
            if (done)
                break;
        }

        // A client created while paging can shift one into the next page twice.
        return clients.DistinctBy(c => c.ClientId, StringComparer.Ordinal).ToList();
    }

    // Paging de-duplicates by client_id, so a field selection must not leave it out.
    private static ListClientsRequest WithClientId(ListClientsRequest request) => request switch
    {
        { Fields: { Count: > 0 } fields, IncludeFields: not false } when !fields.Contains("client_id") =>
            request with { Fields = [.. fields, "client_id"] },
        { Fields: { Count: > 0 } fields, IncludeFields: false } when fields.Contains("client_id") =>
            request with { Fields = fields.Where(f => f != "client_id").ToList() },
        _ => request,
    };

    public async Task<Auth0Client> GetClientAsync(string clientId, IReadOnlyList<string>? fields = null, CancellationToken cancellationToken = default)
    {
        var query = new QueryBuilder()
            .Add("fields", fields)
            .Add("include_fields", fields is { Count: > 0 } ? true : null);
        var (request, response) = await SendAsync(HttpMethod.Get, ClientPath(clientId) + query, null, cancellationToken)
            .ConfigureAwait(false);
        return Read(request, response, Auth0JsonContext.Default.Auth0Client);
    }

    public async Task<Auth0Client> UpdateClientAsync(string clientId, ClientPatch patch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(patch);
        if (patch.IsEmpty)
            throw new ArgumentException("The client patch is empty.", nameof(patch));

        var body = new JsonBody(Encoding.UTF8.GetBytes(patch.ToJson().ToJsonString()), patch.SecretValue);
        var (request, response) = await SendAsync(HttpMethod.Patch, ClientPath(clientId), body, cancellationToken)
            .ConfigureAwait(false);
        return Read(request, response, Auth0JsonContext.Default.Auth0Client);
    }

    public async Task<Auth0Client> RotateClientSecretAsync(string clientId, CancellationToken cancellationToken = default)
    {
        var (request, response) = await SendAsync(HttpMethod.Post, ClientPath(clientId) + "/rotate-secret", null, cancellationToken)
            .ConfigureAwait(false);
        return Read(request, response, Auth0JsonContext.Default.Auth0Client);
    }

    public async Task<IReadOnlyList<Auth0ClientCredential>> ListClientCredentialsAsync(string clientId, CancellationToken cancellationToken = default)
    {
        var (request, response) = await SendAsync(HttpMethod.Get, CredentialsPath(clientId), null, cancellationToken)
            .ConfigureAwait(false);
        return Read(request, response, Auth0JsonContext.Default.ListAuth0ClientCredential);
    }

    public async Task<Auth0ClientCredential> CreateClientCredentialAsync(string clientId, NewClientCredential credential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credential);
        credential.Validate();
        var body = new JsonBody(JsonSerializer.SerializeToUtf8Bytes(credential, Auth0JsonContext.Default.NewClientCredential), null);
        var (request, response) = await SendAsync(HttpMethod.Post, CredentialsPath(clientId), body, cancellationToken)
            .ConfigureAwait(false);
        return Read(request, response, Auth0JsonContext.Default.Auth0ClientCredential);
    }

    public async Task<Auth0ClientCredential> GetClientCredentialAsync(string clientId, string credentialId, CancellationToken cancellationToken = default)
    {
        var (request, response) = await SendAsync(HttpMethod.Get, CredentialPath(clientId, credentialId), null, cancellationToken)
            .ConfigureAwait(false);
        return Read(request, response, Auth0JsonContext.Default.Auth0ClientCredential);
    }

    public async Task<Auth0ClientCredential> UpdateClientCredentialExpiryAsync(
        string clientId, string credentialId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        var json = new System.Text.Json.Nodes.JsonObject { ["expires_at"] = expiresAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture) };
        var body = new JsonBody(Encoding.UTF8.GetBytes(json.ToJsonString()), null);
        var (request, response) = await SendAsync(HttpMethod.Patch, CredentialPath(clientId, credentialId), body, cancellationToken)
            .ConfigureAwait(false);
        return Read(request, response, Auth0JsonContext.Default.Auth0ClientCredential);
    }

    public async Task<bool> DeleteClientCredentialAsync(string clientId, string credentialId, CancellationToken cancellationToken = default)
    {
        var (_, response) = await SendAsync(HttpMethod.Delete, CredentialPath(clientId, credentialId), null, cancellationToken,
            acceptNotFound: true).ConfigureAwait(false);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    private async Task<(Auth0HttpRequest Request, Auth0HttpResponse Response)> SendAsync(
        HttpMethod method,
        string relativePath,
        JsonBody? body,
        CancellationToken cancellationToken,
        bool acceptNotFound = false)
    {
        var sensitive = body?.SecretValue is { } secret ? new[] { Connection.ClientSecret, secret } : [Connection.ClientSecret];
        var request = new Auth0HttpRequest(method, new Uri(Connection.Tenant.ManagementApiBase, relativePath))
        {
            Content = body?.Content,
            ContentType = body is null ? null : "application/json",
            SensitiveValues = sensitive,
        };

        string? usedToken = null;
        async ValueTask<string> BearerAsync(CancellationToken ct)
        {
            usedToken = (await _runtime.Tokens.GetTokenAsync(Connection, ct).ConfigureAwait(false)).AccessToken;
            return usedToken;
        }

        var retry = Connection.RetryTransientFailures;
        var response = await _runtime.Executor.SendAsync(request, _limiter, BearerAsync, cancellationToken, retry).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized && usedToken is not null)
        {
            // The cached token was revoked or expired early (e.g. the connection's grant changed): get a new one, once.
            Auth0Log.TokenRejected(_runtime.Logger, Connection.ClientId, Connection.Tenant.ToString(), (int)response.StatusCode);
            _runtime.Tokens.Invalidate(Connection, usedToken);
            response = await _runtime.Executor.SendAsync(request, _limiter, BearerAsync, cancellationToken, retry).ConfigureAwait(false);
        }

        if (!response.IsSuccess && !(acceptNotFound && response.StatusCode == HttpStatusCode.NotFound))
            throw Auth0Errors.FromResponse(request, response);
        return (request, response);
    }

    private static T Read<T>(Auth0HttpRequest request, Auth0HttpResponse response, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            if (JsonSerializer.Deserialize(response.Body, typeInfo) is { } value)
                return value;
        }
        catch (JsonException exception)
        {
            throw new Auth0ApiException(
                $"Auth0 {request.Method.Method} {request.Path} answered {(int)response.StatusCode} with a body that is not the expected JSON " +
                $"(at {exception.Path ?? "$"}).",
                request.Method.Method, request.Path, response.StatusCode, attempts: response.Attempts, elapsed: response.Elapsed);
        }

        throw new Auth0ApiException(
            $"Auth0 {request.Method.Method} {request.Path} answered {(int)response.StatusCode} with an empty body.",
            request.Method.Method, request.Path, response.StatusCode, attempts: response.Attempts, elapsed: response.Elapsed);
    }

    private static byte FirstJsonToken(byte[] body)
    {
        foreach (var b in body)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF))
                return b;
        }

        return 0;
    }

    private static string ClientPath(string clientId) => "clients/" + Segment(clientId, nameof(clientId));

    private static string CredentialsPath(string clientId) => ClientPath(clientId) + "/credentials";

    private static string CredentialPath(string clientId, string credentialId) =>
        CredentialsPath(clientId) + "/" + Segment(credentialId, nameof(credentialId));

    // Ids become one escaped path segment; "." and ".." would be resolved away by Uri, so they are refused.
    private static string Segment(string id, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id, parameterName);
        if (id is "." or ".." || id.Any(char.IsControl))
            throw new ArgumentException($"'{id}' is not a valid Auth0 id.", parameterName);
        return Uri.EscapeDataString(id);
    }

    private sealed record JsonBody(byte[] Content, string? SecretValue);

    private sealed class QueryBuilder
    {
        private readonly StringBuilder _query = new();

        public QueryBuilder Add(string name, int? value) =>
            value is null ? this : Append(name, value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));

        public QueryBuilder Add(string name, bool? value) =>
            value is null ? this : Append(name, value.Value ? "true" : "false");

        // Comma lists keep their commas readable; each item is escaped on its own.
        public QueryBuilder Add(string name, IReadOnlyList<string>? values) =>
            values is not { Count: > 0 } ? this : Append(name, string.Join(',', values.Select(Uri.EscapeDataString)), escaped: true);

        public override string ToString() => _query.ToString();

        private QueryBuilder Append(string name, string value, bool escaped = false)
        {
            _query.Append(_query.Length == 0 ? '?' : '&').Append(name).Append('=')
                .Append(escaped ? value : Uri.EscapeDataString(value));
            return this;
        }
    }
}
