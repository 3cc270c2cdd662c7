using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace RotationDashboard.Sandbox.Tests;

/// <summary>Starts sandbox hosts for tests: no rate limit and no propagation window unless a test asks for them.</summary>
internal static class TestSandbox
{
    public static Task<SandboxHost> StartAsync(
        Action<SandboxTenantOptions>? configure = null,
        TimeProvider? timeProvider = null,
        ILoggerProvider? loggerProvider = null)
    {
        var options = new SandboxTenantOptions { PropagationWindow = TimeSpan.Zero }.UsePlan(SandboxPlan.Unlimited);
        configure?.Invoke(options);
        return SandboxHost.StartAsync(options, timeProvider ?? TimeProvider.System, loggerProvider);
    }

    public static HttpClient CreateHttpClient(this SandboxHost host, bool followRedirects = true) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = followRedirects }) { BaseAddress = host.BaseUrl, Timeout = TimeSpan.FromSeconds(20) };

    public static Task<HttpResponseMessage> RequestTokenAsync(this HttpClient http, params (string Name, string Value)[] parameters) =>
        http.PostAsync("oauth/token", new FormUrlEncodedContent(parameters.Select(p => KeyValuePair.Create(p.Name, p.Value))));

    public static Task<HttpResponseMessage> ClientCredentialsAsync(this HttpClient http, SandboxHost host, string clientId, string secret, string? audience = null) =>
        http.RequestTokenAsync(
            ("grant_type", "client_credentials"),
            ("client_id", clientId),
            ("client_secret", secret),
            ("audience", audience ?? host.ManagementApiUrl.AbsoluteUri));

    /// <summary>A Management API token for the seeded dashboard client, or for a new client with just these scopes.</summary>
    public static async Task<string> ManagementTokenAsync(this HttpClient http, SandboxHost host, params string[] scopes)
    {
        var (clientId, secret) = scopes.Length == 0
            ? (SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret)
            : CreateScopedClient(host, scopes);
        using var response = await http.ClientCredentialsAsync(host, clientId, secret);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("access_token").GetString()!;
    }

    private static (string, string) CreateScopedClient(SandboxHost host, string[] scopes)
    {
        var client = host.Tenant.CreateManagementClient("Scoped " + Guid.NewGuid().ToString("N")[..8], scopes);
        return (client.ClientId, client.ClientSecret!);
    }

    /// <summary>An HttpClient rooted at the Management API with a token (see <see cref="ManagementTokenAsync"/>).</summary>
    public static async Task<HttpClient> ManagementApiClientAsync(this SandboxHost host, params string[] scopes)
    {
        using var tokenClient = host.CreateHttpClient();
        var token = await tokenClient.ManagementTokenAsync(host, scopes);
        var api = host.CreateHttpClient();
        api.BaseAddress = host.ManagementApiUrl;
        return api.WithBearer(token);
    }

    public static HttpClient WithBearer(this HttpClient http, string token)
    {
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient http, string path, object body) =>
        http.PatchAsync(path, JsonContent.Create(body));

    public static string Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    public static void AssertManagementError(JsonElement body, int statusCode, string message, string? errorCode)
    {
        Assert.Equal(statusCode, body.GetProperty("statusCode").GetInt32());
        Assert.Equal(message, body.GetProperty("message").GetString());
        if (errorCode is null)
            Assert.False(body.TryGetProperty("errorCode", out _));
        else
            Assert.Equal(errorCode, body.GetProperty("errorCode").GetString());
    }
}

/// <summary>One host for a whole test class whose tests do not disturb each other.</summary>
public sealed class SharedSandbox : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await TestSandbox.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
