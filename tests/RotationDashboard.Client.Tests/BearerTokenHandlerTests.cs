using RotationDashboard.Testing;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RotationDashboard.Sandbox;

namespace RotationDashboard.Client.Tests;

/// <summary>The DelegatingHandler, wired through DI, calling a small downstream API with tokens from the sandbox.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class BearerTokenHandlerTests(SharedSandbox sandbox) : IClassFixture<SharedSandbox>, IAsyncLifetime
{
    private WebApplication _api = null!;
    private Uri _apiUrl = null!;
    private readonly ConcurrentQueue<string> _seenAuthorization = new();
    private readonly ConcurrentDictionary<string, bool> _revokedTokens = new();
    private SandboxHost Host => sandbox.Host;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _api = builder.Build();
        _api.MapMethods("/orders", ["GET", "POST"], async (HttpContext context) =>
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            _seenAuthorization.Enqueue(authorization);
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            return _revokedTokens.ContainsKey(authorization) ? Results.Unauthorized() : Results.Text("ok:" + body);
        });
        await _api.StartAsync();
        _apiUrl = new Uri(_api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private ServiceProvider Services(SandboxCreatedClient app, CapturingLoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs ?? new CapturingLoggerProvider()));
        services.AddAuth0ClientCredentials(options =>
        {
            options.Domain = Host.BaseUrl.AbsoluteUri;
            options.ClientId = app.ClientId;
            options.Current = new Auth0CredentialOptions { ClientSecret = app.ClientSecret };
        });
        services.AddHttpClient("orders", http => http.BaseAddress = _apiUrl).AddAuth0BearerToken();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public async Task Requests_carry_the_access_token_and_reuse_it()
    {
        var app = Host.CreateSecretApp();
        await using var services = Services(app);
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("orders");
        var token = await services.GetRequiredService<IAuth0TokenProvider>().GetTokenAsync();

        Assert.Equal("ok:", await http.GetStringAsync("orders"));
        Assert.Equal("ok:", await http.GetStringAsync("orders"));

        Assert.Equal(new[] { "Bearer " + token.AccessToken, "Bearer " + token.AccessToken }, _seenAuthorization);
    }

    [Fact]
    public async Task A_401_from_the_api_gets_one_retry_with_a_fresh_token()
    {
        var app = Host.CreateSecretApp();
        var logs = new CapturingLoggerProvider();
        await using var services = Services(app, logs);
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("orders");
        var stale = await services.GetRequiredService<IAuth0TokenProvider>().GetTokenAsync();
        _revokedTokens["Bearer " + stale.AccessToken] = true;

        using var response = await http.PostAsync("orders", new StringContent("order-1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok:order-1", await response.Content.ReadAsStringAsync());
        var seen = _seenAuthorization.ToArray();
        Assert.Equal(2, seen.Length);
        Assert.Equal("Bearer " + stale.AccessToken, seen[0]);
        Assert.NotEqual(seen[0], seen[1]);
        Assert.True(logs.Contains("retrying once with a new access token"));
        logs.AssertNoneContain(stale.AccessToken, seen[1]["Bearer ".Length..], app.ClientSecret);
    }

    [Fact]
    public async Task A_request_whose_body_cannot_be_sent_twice_is_not_retried()
    {
        var app = Host.CreateSecretApp();
        await using var services = Services(app);
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("orders");
        var stale = await services.GetRequiredService<IAuth0TokenProvider>().GetTokenAsync();
        _revokedTokens["Bearer " + stale.AccessToken] = true;

        using var response = await http.PostAsync("orders", new StreamContent(new MemoryStream("order-2"u8.ToArray())));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Single(_seenAuthorization);
    }

    [Fact]
    public async Task The_handler_works_without_DI_as_the_readme_shows()
    {
        var app = Host.CreateSecretApp();
        using var loggerFactory = new CapturingLoggerProvider().CreateFactory();
        var source = new StaticCredentialSource(
            Auth0Credential.FromClientSecret(app.ClientId, app.ClientSecret!),
            Auth0Credential.FromClientSecret(app.ClientId, "next-secret-not-yet-used"));
        var tokens = new Auth0TokenClient(new HttpClient(), source,
            new Auth0ClientCredentialsOptions { Domain = Host.BaseUrl.AbsoluteUri },
            timeProvider: null, logger: loggerFactory.CreateLogger<Auth0TokenClient>());
        using var api = new HttpClient(new Auth0BearerTokenHandler(tokens) { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = _apiUrl };

        Assert.Equal("ok:", await api.GetStringAsync("orders"));
        Assert.Equal("Bearer " + (await tokens.GetTokenAsync()).AccessToken, Assert.Single(_seenAuthorization));
    }

    [Fact]
    public async Task Token_failures_surface_from_the_http_call()
    {
        var app = Host.CreateSecretApp();
        var wrong = app with { ClientSecret = "not-the-secret-" + Guid.NewGuid().ToString("N") };
        await using var services = Services(wrong);
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("orders");

        var exception = await Assert.ThrowsAsync<Auth0TokenException>(() => http.GetStringAsync("orders"));

        Assert.True(exception.IsCredentialRejected);
        Assert.Empty(_seenAuthorization);
        Assertions.NoSecretIn(exception, wrong.ClientSecret);
    }
}
