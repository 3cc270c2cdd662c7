using Microsoft.Extensions.Logging.Testing;
using RotationDashboard.Testing;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RotationDashboard.Sandbox;

namespace RotationDashboard.Client.Tests;

/// <summary>Sandbox hosts for tests: no rate limit and no propagation window (old secrets die at once).</summary>
internal static class TestSandbox
{
    // RSA key generation dominates a fresh tenant's start (token-signing key, seeded app key) and is slow on a busy
    // machine, so every host starts from a copy of one seeded state file instead.
    private static readonly string StateDirectory = Path.Combine(Path.GetTempPath(), $"rotation-dashboard-client-tests-{Environment.ProcessId}");
    private static readonly Lazy<Task<string>> SeededState = new(CreateSeededStateAsync);

    public static async Task<SandboxHost> StartAsync(Action<SandboxTenantOptions>? configure = null, TimeProvider? timeProvider = null)
    {
        var options = new SandboxTenantOptions { PropagationWindow = TimeSpan.Zero, StateFilePath = await NewStateFileAsync() }.UsePlan(SandboxPlan.Unlimited);
        configure?.Invoke(options);
        return await SandboxHost.StartAsync(options, timeProvider ?? TimeProvider.System);
    }

    /// <summary>A private copy of the seeded tenant state, for a host of its own.</summary>
    public static async Task<string> NewStateFileAsync()
    {
        var path = Path.Combine(StateDirectory, Guid.NewGuid().ToString("N") + ".json");
        File.Copy(await SeededState.Value, path);
        return path;
    }

    private static async Task<string> CreateSeededStateAsync()
    {
        Directory.CreateDirectory(StateDirectory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(StateDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        var path = Path.Combine(StateDirectory, "seeded.json");
        await using var host = await SandboxHost.StartAsync(new SandboxTenantOptions { StateFilePath = path }.UsePlan(SandboxPlan.Unlimited));
        return path;
    }

    /// <summary>A client-secret app with a Management API grant, so a default-audience token request can succeed.</summary>
    public static SandboxCreatedClient CreateSecretApp(this SandboxHost host, SandboxAuthMethod method = SandboxAuthMethod.ClientSecretPost) =>
        host.Tenant.CreateClient("Consumer " + Guid.NewGuid().ToString("N")[..8], SandboxAppType.NonInteractive, method, ["read:clients"]);

    /// <summary>
    /// A private_key_jwt app with a Management API grant and <paramref name="key"/> attached (registered through the
    /// Management API with a pre-generated key, as the dashboard would do it).
    /// </summary>
    public static async Task<(SandboxCreatedClient App, RegisteredKey Key)> CreateKeyAppAsync(this SandboxHost host, TestKey? key = null, string alg = "RS256")
    {
        var app = host.CreateSecretApp();
        var registered = await host.RegisterKeyAsync(app.ClientId, key ?? TestKeys.First, alg);
        host.Tenant.AttachCredentials(app.ClientId, registered.CredentialId);
        return (app, registered);
    }

    /// <summary>Registers a public key as a (detached) credential of the app: <c>POST /api/v2/clients/{id}/credentials</c>.</summary>
    public static async Task<RegisteredKey> RegisterKeyAsync(this SandboxHost host, string clientId, TestKey key, string alg = "RS256")
    {
        var management = new Auth0TokenClient(new HttpClient(),
            new StaticCredentialSource(Secret(SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret)), host.Options());
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await management.GetTokenAsync()).AccessToken);
        using var response = await http.PostAsJsonAsync(new Uri(host.ManagementApiUrl, $"clients/{clientId}/credentials"),
            new { credential_type = "public_key", name = "test key", pem = key.PublicKeyPem, alg });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new RegisteredKey(body.GetProperty("id").GetString()!, body.GetProperty("kid").GetString()!, key.PrivateKeyPem);
    }

    public static Auth0ClientCredentialsOptions Options(this SandboxHost host, Action<Auth0ClientCredentialsOptions>? configure = null)
    {
        var options = new Auth0ClientCredentialsOptions
        {
            Domain = host.BaseUrl.AbsoluteUri,
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
            RequestTimeout = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        return options;
    }

    public static Auth0Credential Secret(string clientId, string secret) => Auth0Credential.FromClientSecret(clientId, secret);

    public static Auth0Credential Key(string clientId, SandboxKeyPair key, bool withKeyId = true) =>
        Auth0Credential.FromPrivateKey(clientId, key.PrivateKeyPem, withKeyId ? key.Kid : null);

    public static Auth0Credential Key(string clientId, RegisteredKey key, bool withKeyId = true) =>
        Auth0Credential.FromPrivateKey(clientId, key.PrivateKeyPem, withKeyId ? key.Kid : null);
}

/// <summary>A key registered with a sandbox app: its credential id and kid, and the private key the consumer signs with.</summary>
internal sealed record RegisteredKey(string CredentialId, string Kid, string PrivateKeyPem);

/// <summary>An RSA key pair generated for the tests.</summary>
internal sealed record TestKey(string PrivateKeyPem, string PublicKeyPem, string Pkcs1PrivateKeyPem);

/// <summary>
/// A few RSA keys generated once per test run (generation is the slow part). Keys may be shared between apps:
/// the tenant only refuses the same public key twice on one app.
/// </summary>
internal static class TestKeys
{
    private static readonly Lazy<TestKey[]> Keys = new(() => Enumerable.Range(0, 3).AsParallel().Select(_ => Generate()).ToArray());

    public static TestKey First => Keys.Value[0];

    public static TestKey Second => Keys.Value[1];

    public static TestKey Third => Keys.Value[2];

    private static TestKey Generate()
    {
        using var rsa = RSA.Create(2048);
        return new TestKey(rsa.ExportPkcs8PrivateKeyPem(), rsa.ExportSubjectPublicKeyInfoPem(), rsa.ExportRSAPrivateKeyPem());
    }
}

/// <summary>One token request as it went out, and Auth0's status. Test observation only.</summary>
internal sealed record RecordedTokenRequest(IReadOnlyDictionary<string, string> Form, string? BasicCredentials, int Status)
{
    public string? ClientSecret => Form.GetValueOrDefault("client_secret");

    public string? Assertion => Form.GetValueOrDefault("client_assertion");

    /// <summary>The kid header of the client assertion, if any.</summary>
    public string? AssertionKid => Assertion is null ? null : new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(Assertion).Kid;
}

/// <summary>Records what the token client sends (so a test can tell which credential was used) and passes it on.</summary>
internal sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    public ConcurrentQueue<RecordedTokenRequest> Requests { get; } = new();

    public int Count => Requests.Count;

    public HttpClient CreateClient() => new(this, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(30) };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>();
        if (request.Content is not null)
        {
            var body = await request.Content.ReadAsStringAsync(cancellationToken);
            foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = pair.Split('=', 2);
                form[Uri.UnescapeDataString(parts[0].Replace('+', ' '))] = Uri.UnescapeDataString(parts.ElementAtOrDefault(1)?.Replace('+', ' ') ?? "");
            }
        }

        string? basic = null;
        if (request.Headers.Authorization is { Scheme: "Basic", Parameter: { } parameter })
            basic = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));

        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            Requests.Enqueue(new RecordedTokenRequest(form, basic, (int)response.StatusCode));
            return response;
        }
        catch
        {
            Requests.Enqueue(new RecordedTokenRequest(form, basic, 0));
            throw;
        }
    }
}

/// <summary>
/// Every log record through FakeLogger (all categories, from Trace), with checks that nothing secret was written.
/// </summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly FakeLoggerProvider _fakeLoggers;

    public CapturingLoggerProvider() => _fakeLoggers = new FakeLoggerProvider(Records);

    public FakeLogCollector Records { get; } = new();

    public IReadOnlyList<string> Lines => Records.Lines();

    public ILoggerFactory CreateFactory() => LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(this));

    public ILogger<T> CreateLogger<T>() => CreateFactory().CreateLogger<T>();

    public ILogger CreateLogger(string categoryName) => _fakeLoggers.CreateLogger(categoryName);

    public bool Contains(string text) => Lines.Any(line => line.Contains(text, StringComparison.Ordinal));

    /// <summary>Fails when any line holds one of <paramref name="secrets"/> (or a recognisable piece of a PEM key).</summary>
    public void AssertNoneContain(params string?[] secrets)
    {
        var lines = Lines;
        foreach (var secret in secrets.Where(s => !string.IsNullOrEmpty(s)))
        {
            var needle = secret!.Contains("PRIVATE KEY", StringComparison.Ordinal) ? PemBodySample(secret) : secret;
            var leak = lines.FirstOrDefault(line => line.Contains(needle, StringComparison.Ordinal));
            Assert.True(leak is null, $"A log line contains a secret: {leak?[..Math.Min(leak.Length, 120)]}");
        }
    }

    public static string PemBodySample(string pem) =>
        pem.Split('\n').First(line => line.Length > 40 && !line.StartsWith("-----", StringComparison.Ordinal)).Trim();

    // The fake loggers hold no resources; the collector outlives any one logger factory a test builds.
    public void Dispose()
    {
    }
}

/// <summary>One sandbox for a whole test class whose tests do not disturb each other.</summary>
public sealed class SharedSandbox : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await TestSandbox.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

internal static class Assertions
{
    /// <summary>Fails when the exception's message (or any inner message) holds one of <paramref name="secrets"/>.</summary>
    public static void NoSecretIn(Exception exception, params string?[] secrets)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            foreach (var secret in secrets.Where(s => !string.IsNullOrEmpty(s)))
            {
                var needle = secret!.Contains("PRIVATE KEY", StringComparison.Ordinal) ? CapturingLoggerProvider.PemBodySample(secret) : secret;
                Assert.DoesNotContain(needle, current.Message, StringComparison.Ordinal);
                Assert.DoesNotContain(needle, current.ToString(), StringComparison.Ordinal);
            }
        }
    }

    public static async Task EventuallyAsync(Func<bool> condition, TimeSpan? within = null, string? because = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, because ?? "The condition did not become true in time.");
            await Task.Delay(25);
        }
    }

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);
}
