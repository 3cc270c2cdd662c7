using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace RotationDashboard.Auth0.Tests.Infrastructure;

/// <summary>One request as the server saw it; Path is relative to the tenant base (no leading slash).</summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string Query,
    string Body,
    string? Authorization,
    string? ContentType)
{
    public string Route => $"{Method} {Path}";

    public IReadOnlyDictionary<string, string> Form =>
        Body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");
}

/// <summary>
/// A real Kestrel server on 127.0.0.1:0 that scripts Auth0-like answers, optionally under a path base
/// (like the sandbox tenant mounted inside the dashboard). Unscripted routes answer a Management-style 404.
/// </summary>
public sealed class FakeAuth0Server : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Func<RecordedRequest, HttpContext, Task>>> _scripts = new();
    private readonly ConcurrentDictionary<string, Func<RecordedRequest, HttpContext, Task>> _routes = new();
    private readonly string _pathBase;
    private WebApplication? _app;
    private int _inFlight;
    private int _maxInFlight;
    private int _tokensIssued;

    private FakeAuth0Server(string pathBase) => _pathBase = pathBase;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public Uri BaseUrl { get; private set; } = null!;

    public Auth0TenantAddress Tenant => Auth0TenantAddress.Parse(BaseUrl.AbsoluteUri);

    /// <summary>Client id → secret accepted by the default token endpoint.</summary>
    public ConcurrentDictionary<string, string> ClientSecrets { get; } = new();

    public long TokenExpiresInSeconds { get; set; } = 86400;

    public string TokenScope { get; set; } = "read:clients update:clients read:client_keys update:client_keys";

    public TimeSpan TokenDelay { get; set; }

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    public static async Task<FakeAuth0Server> StartAsync(string pathBase = "")
    {
        var server = new FakeAuth0Server(pathBase.Trim('/'));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server._app = app;
        var root = app.Urls.Single().TrimEnd('/');
        server.BaseUrl = new Uri(server._pathBase.Length == 0 ? root + "/" : $"{root}/{server._pathBase}/");
        return server;
    }

    /// <summary>Answers every request to the route with <paramref name="handler"/>.</summary>
    public void On(string method, string path, Func<RecordedRequest, HttpContext, Task> handler) =>
        _routes[$"{method} {path}"] = handler;

    /// <summary>Answers the next requests to the route in order; after the script runs out, <see cref="On"/> applies.</summary>
    public void Script(string method, string path, params Func<RecordedRequest, HttpContext, Task>[] answers)
    {
        var queue = _scripts.GetOrAdd($"{method} {path}", _ => new ConcurrentQueue<Func<RecordedRequest, HttpContext, Task>>());
        foreach (var answer in answers)
            queue.Enqueue(answer);
    }

    public int Count(string method, string path) => Requests.Count(r => r.Method == method && r.Path == path);

    public IReadOnlyList<RecordedRequest> Find(string method, string path) =>
        Requests.Where(r => r.Method == method && r.Path == path).ToList();

    public int ManagementRequestCount => Requests.Count(r => r.Path.StartsWith("api/v2/", StringComparison.Ordinal));

    public static Func<RecordedRequest, HttpContext, Task> Json(int status, string json, params (string Name, string Value)[] headers) =>
        async (_, context) =>
        {
            context.Response.StatusCode = status;
            foreach (var (name, value) in headers)
                context.Response.Headers[name] = value;
            if (json.Length > 0)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(json);
            }
        };

    public static Func<RecordedRequest, HttpContext, Task> Json(int status, object body, params (string Name, string Value)[] headers) =>
        Json(status, JsonSerializer.Serialize(body), headers);

    public static Func<RecordedRequest, HttpContext, Task> ManagementError(int status, string error, string message, string? errorCode = null, params (string Name, string Value)[] headers) =>
        Json(status, JsonSerializer.Serialize(new { statusCode = status, error, message, errorCode }), headers);

    public static Func<RecordedRequest, HttpContext, Task> AuthenticationError(int status, string error, string description, params (string Name, string Value)[] headers) =>
        Json(status, JsonSerializer.Serialize(new { error, error_description = description }), headers);

    public static Func<RecordedRequest, HttpContext, Task> Delayed(TimeSpan delay, Func<RecordedRequest, HttpContext, Task> then) =>
        async (request, context) =>
        {
            await Task.Delay(delay, context.RequestAborted);
            await then(request, context);
        };

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
        {
        }

        try
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var path = context.Request.Path.Value!.TrimStart('/');
            if (_pathBase.Length > 0)
            {
                if (!path.StartsWith(_pathBase + "/", StringComparison.Ordinal))
                {
                    context.Response.StatusCode = 418; // outside the tenant's base: the client lost its path
                    return;
                }

                path = path[(_pathBase.Length + 1)..];
            }

            var request = new RecordedRequest(
                context.Request.Method, path, context.Request.QueryString.Value ?? "", body,
                context.Request.Headers.Authorization.FirstOrDefault(), context.Request.ContentType);
            Requests.Enqueue(request);

            if (_scripts.TryGetValue(request.Route, out var queue) && queue.TryDequeue(out var scripted))
                await scripted(request, context);
            else if (_routes.TryGetValue(request.Route, out var handler))
                await handler(request, context);
            else if (request.Route == "POST oauth/token")
                await IssueTokenAsync(request, context);
            else
                await ManagementError(404, "Not Found", "Not scripted: " + request.Route, "inexistent_route")(request, context);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task IssueTokenAsync(RecordedRequest request, HttpContext context)
    {
        if (TokenDelay > TimeSpan.Zero)
            await Task.Delay(TokenDelay, context.RequestAborted);

        var form = request.Form;
        if (form.GetValueOrDefault("grant_type") != "client_credentials" ||
            !form.TryGetValue("client_id", out var clientId) ||
            !ClientSecrets.TryGetValue(clientId, out var expected) ||
            form.GetValueOrDefault("client_secret") != expected)
        {
            await AuthenticationError(401, "access_denied", "Unauthorized")(request, context);
            return;
        }

        var number = Interlocked.Increment(ref _tokensIssued);
        await Json(200, new
        {
            access_token = $"mgmt-token-{number}",
            token_type = "Bearer",
            expires_in = TokenExpiresInSeconds,
            scope = TokenScope,
        })(request, context);
    }
}
