using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using RotationDashboard.Client;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Tests.Api;

namespace RotationDashboard.Web.Tests.Cluster;

/// <summary>
/// Two (or more) real dashboard processes on one PostgreSQL database, sharing one sandbox Auth0 tenant: a
/// <see cref="SandboxHost"/> in the test process at its own loopback address, which every instance's sandbox
/// connection reaches (<c>Sandbox:TenantUrl</c>), so killing an instance never takes the tenant with it and the test
/// reads the tenant's state directly. Each instance still mounts the built-in sandbox, only for its admin sign-in
/// (Development), which is made on one instance and used on another. Same root key, bootstrap token and fast engine timings everywhere.
/// </summary>
public sealed class TwoInstanceCluster : IAsyncDisposable
{
    public const string BootstrapToken = DashboardAppFactory.BootstrapToken;
    public const string RotationsRoute = "api/v2/secret-rotations";

    private readonly PostgreSqlServer _postgres;
    private readonly List<DashboardProcess> _instances = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("rd-cluster-").FullName;

    private TwoInstanceCluster(PostgreSqlServer postgres, string connectionString, SandboxHost tenant)
    {
        _postgres = postgres;
        ConnectionString = connectionString;
        Tenant = tenant;
    }

    public string ConnectionString { get; }

    public SandboxHost Tenant { get; }

    public string RootKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Engine lease (and so the longest a dead instance's run waits for a taker, plus the sweep interval).</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(8);

    public static readonly TimeSpan OrphanSweepInterval = TimeSpan.FromSeconds(1);

    public static async Task<TwoInstanceCluster> CreateAsync(string name)
    {
        var postgres = await PostgreSqlFixture.SharedAsync();
        var connectionString = await postgres.CreateDatabaseAsync(name);
        var tenant = await SandboxHost.StartAsync(new SandboxTenantOptions { PropagationWindow = TimeSpan.FromSeconds(5) }.UsePlan(SandboxPlan.Unlimited));
        return new TwoInstanceCluster(postgres, connectionString, tenant);
    }

    /// <summary>Starts instances at the same time (they race for the migrations' advisory lock) and waits until all are ready.</summary>
    public async Task<DashboardProcess[]> StartAsync(params string[] names)
    {
        var started = names.Select(Start).ToArray();
        await Task.WhenAll(started.Select(i => i.WaitUntilReadyAsync()));
        return started;
    }

    public DashboardProcess Start(string name)
    {
        var data = Path.Combine(_directory, name);
        Directory.CreateDirectory(data);
        var settings = new Dictionary<string, string?>(FastEngineSettings.Values)
        {
            ["Storage:Provider"] = "PostgreSql",
            ["ConnectionStrings:Default"] = ConnectionString,
            ["Storage:DataDirectory"] = data,
            ["Storage:OrphanSweepInterval"] = OrphanSweepInterval.ToString(),
            ["Storage:ClusterPollInterval"] = "00:00:01",
            ["RotationEngine:LeaseDuration"] = LeaseDuration.ToString(),
            ["Encryption:RootKey"] = RootKey,
            ["Security:BootstrapToken"] = BootstrapToken,
            ["Sandbox:PersistState"] = "false",
            ["Sandbox:TenantUrl"] = Tenant.BaseUrl.AbsoluteUri,
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            ["Logging:LogLevel:System.Net.Http"] = "Warning",
            ["Logging:Console:TimestampFormat"] = "HH:mm:ss.fff ",
        };
        var instance = DashboardProcess.Start(name, settings);
        _instances.Add(instance);
        return instance;
    }

    /// <summary>The sandbox connection every instance seeds at start (once: under the start-up advisory lock), which
    /// <c>Sandbox:TenantUrl</c> points at the shared tenant.</summary>
    public async Task<Guid> TenantConnectionAsync()
    {
        await using var db = CreateContext();
        return await db.Connections.Where(c => c.IsSandbox).Select(c => c.Id).SingleAsync();
    }

    public RotationDashboardDbContext CreateContext() =>
        new(new DbContextOptionsBuilder<RotationDashboardDbContext>().UseRotationDashboardPostgreSql(ConnectionString).Options);

    /// <summary>Creates a rotation through <paramref name="instance"/>'s API (its first issuance runs there); returns its id.</summary>
    public async Task<string> CreateRotationAsync(DashboardProcess instance, string name, string type, string clientId, string extra, bool autoRotation = false)
    {
        using var client = instance.Client(BootstrapToken);
        await using var db = CreateContext();
        var projectId = await db.Projects.Select(p => p.Id).FirstAsync();
        var prefix = name.ToUpperInvariant().Replace('-', '_');
        var mapping = type == "auth0-private-key-jwt"
            ? $$"""{"clientId": "{{prefix}}_CLIENT_ID", "privateKey": "{{prefix}}_PRIVATE_KEY", "keyId": "{{prefix}}_KEY_ID"}"""
            : $$"""{"clientId": "{{prefix}}_CLIENT_ID", "clientSecret": "{{prefix}}_CLIENT_SECRET"}""";
        var response = await client.PostJsonTextAsync($"{RotationsRoute}/{type}", $$"""
            {
              "name": "{{name}}",
              "projectId": "{{projectId}}",
              "connectionId": "{{await TenantConnectionAsync()}}",
              "environment": "dev",
              "secretPath": "/",
              "isAutoRotationEnabled": {{(autoRotation ? "true" : "false")}},
              "rotationInterval": 30,
              {{extra}}
              "parameters": {"clientId": "{{clientId}}"},
              "secretsMapping": {{mapping}}
            }
            """);
        var body = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{instance.Name}: {body}\n{instance.OutputTail}");
        var id = Guid.Parse(body.GetProperty("secretRotation").GetProperty("id").GetString()!);
        // The API answers after a while even when the first issuance still runs (a loaded machine): wait for it.
        await WaitUntilAsync(async () =>
        {
            await using var check = CreateContext();
            return !await check.RotationRuns.AnyAsync(r => r.RotationId == id && r.Status == Core.Rotations.RunStatus.Running)
                   && await check.Rotations.AnyAsync(r => r.Id == id && r.LeaseHolder == null);
        }, TimeSpan.FromSeconds(120), () => $"the first issuance of {name}\n{instance.OutputTail}");
        await using (var check = CreateContext())
        {
            var rotation = await check.Rotations.AsNoTracking().SingleAsync(r => r.Id == id);
            Assert.True(rotation.RotationStatus == Core.Rotations.RotationStatus.Success, $"{name}: {rotation.RotationStatus}");
        }

        return id.ToString();
    }

    /// <summary>The CURRENT credential a consumer reads through <paramref name="instance"/> (credential-set API).</summary>
    public async Task<JsonElement> CurrentCredentialAsync(DashboardProcess instance, string credentialKey)
    {
        using var client = instance.Client(BootstrapToken);
        await using var db = CreateContext();
        var projectId = await db.Projects.Select(p => p.Id).FirstAsync();
        var response = await client.GetAsync($"api/v1/consumer/credential-sets/{credentialKey}?projectId={projectId}&environment=dev&secretPath=/");
        var body = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{instance.Name}: {body}");
        return body.GetProperty("credentialSet").GetProperty("current");
    }

    /// <summary>Asks the shared tenant for a token with a consumer's credential, as a consumer does (the client library).</summary>
    public async Task AssertTenantAcceptsAsync(JsonElement credential, string because)
    {
        var clientId = credential.GetProperty("clientId").GetString()!;
        var value = credential.GetProperty("privateKey").GetString() is { } privateKey
            ? Auth0Credential.FromPrivateKey(clientId, privateKey, credential.GetProperty("keyId").GetString(), "current")
            : Auth0Credential.FromClientSecret(clientId, credential.GetProperty("clientSecret").GetString()!, "current");
        var tokens = new Auth0TokenClient(new HttpClient(), new StaticCredentialSource(new Auth0CredentialSet(value)), new Auth0ClientCredentialsOptions
        {
            Domain = Tenant.BaseUrl.AbsoluteUri,
            Audience = SandboxSeed.PaymentsApiIdentifier,
            CacheTokens = false,
            MaxRetries = 0,
        });
        try
        {
            var token = await tokens.GetTokenAsync();
            Assert.False(string.IsNullOrEmpty(token.AccessToken));
        }
        catch (Auth0TokenException exception) when (exception.StatusCode == 403)
        {
            // Authenticated; the application just has no grant for that API.
        }
        catch (Auth0TokenException exception)
        {
            Assert.Fail($"The tenant refused the consumer's CURRENT credential {because}: {exception.StatusCode} {exception.Message}");
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, failing with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task<TimeSpan> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < timeout, $"Timed out after {timeout.TotalSeconds:0} s: {what()}");
            await Task.Delay(100);
        }

        return watch.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await Tenant.DisposeAsync();
        await _postgres.DropDatabaseAsync(ConnectionString);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
