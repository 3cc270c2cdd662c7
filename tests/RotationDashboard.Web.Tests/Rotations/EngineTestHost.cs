using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using ClientSecretAuthentication = RotationDashboard.Client.ClientSecretAuthentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RotationDashboard.Auth0;
using RotationDashboard.Client;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Connections;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Sandbox;
using RotationDashboard.Testing;
using RotationDashboard.Web.Application.Rotations;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Hosting;
using RotationDashboard.Web.Scheduling;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Rotations;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Tests.Rotations;

/// <summary>
/// The dashboard's back end as production wires it (persistence on a real SQLite file, the Auth0 client, the
/// connection resolver, the rotation engine with real Quartz) plus the sandbox tenant mounted inside it at
/// <c>/sandbox-tenant</c>, on a real loopback port. A second host on the same <see cref="EngineTestData"/> is the
/// same installation restarted: same database, same root key, same sandbox state file.
/// </summary>
public sealed class EngineTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _stopped;

    private EngineTestHost(WebApplication app, EngineTestData data, CapturingLoggerProvider logs, RequestCounter requests)
    {
        _app = app;
        Data = data;
        Logs = logs;
        Requests = requests;
    }

    public EngineTestData Data { get; }

    public CapturingLoggerProvider Logs { get; }

    /// <summary>Requests the sandbox tenant received (method and path), to prove an operation made no Auth0 call.</summary>
    public RequestCounter Requests { get; }

    public IServiceProvider Services => _app.Services;

    public RotationQueries Rotations => Services.GetRequiredService<RotationQueries>();

    public CreateRotation CreateRotation => Services.GetRequiredService<CreateRotation>();

    public UpdateRotation UpdateRotation => Services.GetRequiredService<UpdateRotation>();

    public DeleteRotation DeleteRotation => Services.GetRequiredService<DeleteRotation>();

    public RotateNow RotateNow => Services.GetRequiredService<RotateNow>();

    public RevealCredentials RevealCredentials => Services.GetRequiredService<RevealCredentials>();

    public RotationEngine Engine => Services.GetRequiredService<RotationEngine>();

    public RotationScheduler Scheduler => Services.GetRequiredService<RotationScheduler>();

    public IRotationRunNotifier Notifier => Services.GetRequiredService<IRotationRunNotifier>();

    public SecretStoreService Secrets => Services.GetRequiredService<SecretStoreService>();

    /// <summary>The engine's port to the secret store (what runs read and write).</summary>
    public IRotationSecretStore RotationSecrets => Services.GetRequiredService<IRotationSecretStore>();

    public SandboxTenant Sandbox => Services.GetRequiredService<SandboxTenant>();

    public ISecretProtector Protector => Services.GetRequiredService<ISecretProtector>();

    public Uri BaseAddress => Services.GetRequiredService<LocalServerAddress>().Get();

    /// <summary>The sandbox tenant's base URL (token endpoint <c>{base}oauth/token</c>).</summary>
    public Uri TenantUrl => new(BaseAddress, "sandbox-tenant/");

    public static DashboardUser Admin { get; } = new(Actor.User("ada@sandbox.test"), true, new ClaimsPrincipal());

    public static DashboardUser Viewer { get; } = new(Actor.User("victor@sandbox.test"), false, new ClaimsPrincipal());

    /// <param name="configureServices">Runs after the production registrations (to decorate or replace one).</param>
    /// <param name="productionDefaults">
    /// Keep the engine's and the Auth0 client's default options and the sandbox's default plan (Enterprise) and
    /// propagation window (5 s), for measurements; otherwise everything is tuned for fast tests.
    /// </param>
    public static async Task<EngineTestHost> StartAsync(
        EngineTestData data,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configureServices = null,
        bool productionDefaults = false)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environments.Development,
            ContentRootPath = data.Directory,
            ApplicationName = typeof(Program).Assembly.GetName().Name,
        });
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var configuration = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = data.Directory,
            ["Encryption:RootKey"] = data.RootKey,
        };
        foreach (var (key, value) in FastEngineSettings.Values) configuration[key] = value;
        if (productionDefaults)
        {
            configuration = configuration.Where(c => c.Key.StartsWith("Storage:", StringComparison.Ordinal) || c.Key.StartsWith("Encryption:", StringComparison.Ordinal))
                .ToDictionary(c => c.Key, c => c.Value);
        }

        foreach (var (key, value) in data.Settings.Concat(settings ?? new Dictionary<string, string?>()))
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        var logs = new CapturingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Quartz", LogLevel.Warning);

        // As Program.cs wires them.
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<LocalServerAddress>();
        builder.AddRotationDashboardPersistence();
        builder.Services.AddAuth0Client(builder.Configuration.GetSection(Auth0ClientOptions.SectionName));
        builder.Services.AddSingleton<IAuth0ConnectionResolver, Auth0ConnectionResolver>();
        builder.Services.AddRotationEngine(builder.Configuration);
        builder.Services.Configure<SignInOptions>(signIn => signIn.UseSandbox = true); // admins sign in at the sandbox, as in Development

        // The sandbox as SandboxIntegration mounts it, minus its plan and propagation window: tests want speed.
        builder.Services.AddSandboxTenant(tenant =>
        {
            if (!productionDefaults)
            {
                tenant.UsePlan(SandboxPlan.Unlimited);
                tenant.PropagationWindow = TimeSpan.Zero;
            }

            tenant.StateFilePath = data.SandboxStateFile;
        });
        configureServices?.Invoke(builder.Services);

        var requests = new RequestCounter();
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(SandboxIntegration.MountPath, out var rest) && !rest.StartsWithSegments("/__sandbox"))
            {
                requests.Add(context.Request.Method, rest.Value ?? "");
            }

            await next();
        });
        app.MapSandboxTenant(SandboxIntegration.MountPath);
        await app.InitializeDatabaseAsync();
        await app.StartAsync();
        return new EngineTestHost(app, data, logs, requests);
    }

    /// <summary>The sandbox connection (the dashboard's own M2M app, all Management API scopes), created on first use.</summary>
    public async Task<Guid> SandboxConnectionAsync(string name = "sandbox", string clientId = SandboxSeed.DashboardClientId, string secret = SandboxSeed.DefaultDashboardClientSecret)
    {
        await using var db = CreateContext();
        if (await db.Connections.SingleOrDefaultAsync(c => c.Name == name) is { } existing)
        {
            return existing.Id;
        }

        var connection = Connection.Create(
            new ConnectionSettings(name, "http://localhost/sandbox-tenant", clientId, IsSandbox: true), secret, Protector, DateTimeOffset.UtcNow);
        db.Connections.Add(connection);
        await db.SaveChangesAsync();
        return connection.Id;
    }

    public async Task<Guid> DefaultProjectIdAsync()
    {
        await using var db = CreateContext();
        return await db.Projects.Where(p => p.Slug == Project.DefaultSlug).Select(p => p.Id).SingleAsync();
    }

    /// <summary>A create request for a sandbox application in dev:/ with fast timings.</summary>
    public async Task<CreateRotationRequest> RequestAsync(
        string name,
        string clientId,
        RotationStrategy strategy,
        Guid? connectionId = null,
        bool autoRotation = false)
    {
        var type = strategy == RotationStrategy.PrivateKeyJwt ? RotationType.Auth0PrivateKeyJwt : RotationType.Auth0ClientSecret;
        var prefix = name.ToUpperInvariant().Replace('-', '_');
        return new CreateRotationRequest
        {
            Settings = new RotationSettings
            {
                Name = name,
                Type = type,
                Strategy = strategy,
                ConnectionId = connectionId ?? await SandboxConnectionAsync(),
                ProjectId = await DefaultProjectIdAsync(),
                IsAutoRotationEnabled = autoRotation,
                RotationInterval = 30,
                Parameters = new RotationParameters(clientId),
                SecretsMapping = type == RotationType.Auth0PrivateKeyJwt
                    ? new SecretsMapping($"{prefix}_CLIENT_ID", PrivateKey: $"{prefix}_PRIVATE_KEY", KeyId: $"{prefix}_KEY_ID")
                    : new SecretsMapping($"{prefix}_CLIENT_ID", ClientSecret: $"{prefix}_CLIENT_SECRET"),
                StagedLeadTime = TimeSpan.Zero,
                RetireGracePeriod = TimeSpan.Zero,
            },
            Environment = "dev",
            SecretPath = "/",
        };
    }

    public async Task<RotationView> CreateAsync(CreateRotationRequest request)
    {
        var created = await CreateRotation.ExecuteAsync(request, Admin);
        Assert.True(created.Succeeded, created.ToString() + " " + string.Join("; ", created.Failure?.Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}") ?? []));
        Assert.True(created.Value.RotationStatus == "success", created.Value.LastRotationMessage);
        return created.Value;
    }

    /// <summary>
    /// What a consumer reads: the rotation's credential set, CURRENT and NEXT of every mapped secret from one snapshot, as
    /// the consumer API serves it (<c>/api/v1/consumer/credential-sets/{key}</c>) and the client library reads it.
    /// </summary>
    public async Task<Auth0CredentialSet?> ConsumerCredentialsAsync(RotationView rotation)
    {
        var credentialKey = rotation.SecretsMapping.PrivateKey ?? rotation.SecretsMapping.ClientSecret!;
        var read = await Services.GetRequiredService<ConsumerSecretReads>().GetCredentialSetAsync(rotation.ProjectId, rotation.Environment.Slug, rotation.Folder.Path, credentialKey);
        if (!read.Succeeded || read.Value.Credential?.Current is null)
        {
            return null;
        }

        var set = read.Value;
        var mapping = set.Mapping;
        string? Current(string? key) => key is null ? null : set.Secrets[key].Current;
        string? Next(string? key) => key is null ? null : set.Secrets[key].Next ?? set.Secrets[key].Current;
        Auth0Credential Credential(Func<string?, string?> value, string label) => mapping.PrivateKey is null
            ? Auth0Credential.FromClientSecret(value(mapping.ClientId) ?? rotation.Parameters.ClientId, value(mapping.ClientSecret)!, label)
            : Auth0Credential.FromPrivateKey(value(mapping.ClientId) ?? rotation.Parameters.ClientId, value(mapping.PrivateKey)!, value(mapping.KeyId), label);

        var current = Credential(Current, "current");
        return set.Secrets.Values.Any(s => s.Next is not null)
            ? new Auth0CredentialSet(current, Credential(Next, "next"))
            : new Auth0CredentialSet(current);
    }

    /// <summary>A token client as a consumer service uses it (the client library), asking Auth0 on every call.</summary>
    public Auth0TokenClient TokenClient(ICredentialSource source, ClientSecretAuthentication method = ClientSecretAuthentication.ClientSecretPost) =>
        new(new HttpClient(), source, new Auth0ClientCredentialsOptions
        {
            Domain = TenantUrl.AbsoluteUri,
            Audience = SandboxSeed.PaymentsApiIdentifier,
            CacheTokens = false,
            ClientSecretAuthentication = method,
            MaxRetries = 0,
        });

    /// <summary>Asserts the credential a consumer reads from the store (CURRENT, falling back to NEXT) gets a token now.</summary>
    public async Task AssertConsumerAuthenticatesAsync(RotationView rotation, ClientSecretAuthentication method = ClientSecretAuthentication.ClientSecretPost)
    {
        var credentials = await ConsumerCredentialsAsync(rotation) ?? throw new Xunit.Sdk.XunitException("The store holds no credential.");
        try
        {
            var token = await TokenClient(new StaticCredentialSource(credentials), method).GetTokenAsync();
            Assert.False(string.IsNullOrEmpty(token.AccessToken));
        }
        catch (Auth0TokenException exception) when (exception.StatusCode == 403)
        {
            // Authenticated; the application just has no grant for the test API.
        }
    }

    public RotationDashboardDbContext CreateContext() =>
        Services.GetRequiredService<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContext();

    /// <summary>Waits for the notifier to publish an event matching <paramref name="match"/> (subscribe before triggering).</summary>
    public EventWaiter<T> WaitFor<T>(Func<T, bool>? match = null)
        where T : RotationEvent => new(Notifier, match ?? (_ => true));

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// One installation's files: data directory (SQLite, sandbox state) and root key, or with <c>postgreSql</c> a fresh
/// database on the test run's PostgreSQL server (<see cref="PostgreSqlFixture"/>) instead of the SQLite file; disposed
/// after the test.
/// </summary>
public sealed class EngineTestData : IAsyncDisposable
{
    private static readonly Lazy<Task<string>> SeededSandbox = new(SeedSandboxAsync);

    private EngineTestData(string directory)
    {
        Directory = directory;
    }

    /// <summary>Settings every host on this installation gets (the PostgreSQL provider and its connection string).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; private set; } = new Dictionary<string, string?>();

    /// <summary>The PostgreSQL database of this installation (null: SQLite in <see cref="Directory"/>).</summary>
    public string? PostgreSqlConnectionString { get; private set; }

    public string Directory { get; }

    public string RootKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string SandboxStateFile => Path.Combine(Directory, "sandbox-tenant.json");

    /// <summary>A fresh installation with a seeded sandbox tenant (copied: seeding generates RSA keys, which is slow).</summary>
    public static async Task<EngineTestData> CreateAsync(bool postgreSql = false)
    {
        var data = new EngineTestData(System.IO.Directory.CreateTempSubdirectory("rd-engine-tests-").FullName);
        File.Copy(await SeededSandbox.Value, data.SandboxStateFile);
        if (postgreSql)
        {
            data.PostgreSqlConnectionString = await (await PostgreSqlFixture.SharedAsync()).CreateDatabaseAsync("engine");
            data.Settings = new Dictionary<string, string?>
            {
                ["Storage:Provider"] = "PostgreSql",
                ["ConnectionStrings:Default"] = data.PostgreSqlConnectionString,
            };
        }

        return data;
    }

    public async ValueTask DisposeAsync()
    {
        if (PostgreSqlConnectionString is not null)
        {
            await (await PostgreSqlFixture.SharedAsync()).DropDatabaseAsync(PostgreSqlConnectionString);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<string> SeedSandboxAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"rd-engine-tests-seed-{Environment.ProcessId}");
        System.IO.Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "seeded.json");
        await using var host = await SandboxHost.StartAsync(new SandboxTenantOptions { StateFilePath = path }.UsePlan(SandboxPlan.Unlimited));
        return path;
    }
}

/// <summary>Completes when the notifier publishes a matching event.</summary>
public sealed class EventWaiter<T> : IDisposable
    where T : RotationEvent
{
    private readonly TaskCompletionSource<T> _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IDisposable _subscription;

    public EventWaiter(IRotationRunNotifier notifier, Func<T, bool> match)
    {
        _subscription = notifier.Subscribe(e =>
        {
            if (e is T typed && match(typed))
            {
                _received.TrySetResult(typed);
            }
        });
    }

    public Task<T> Task => _received.Task;

    public async Task<T> WaitAsync(TimeSpan? timeout = null) => await _received.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(20));

    public void Dispose() => _subscription.Dispose();
}

internal static class CreateRotationRequestExtensions
{
    /// <summary>The request with its settings changed: <c>request.With(s => s with { Name = "x" })</c>.</summary>
    public static CreateRotationRequest With(this CreateRotationRequest request, Func<RotationSettings, RotationSettings> change) =>
        request with { Settings = change(request.Settings) };
}
