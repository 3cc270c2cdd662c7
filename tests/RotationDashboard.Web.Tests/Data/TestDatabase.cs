using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RotationDashboard.Core.Connections;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Services.Audit;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Tests.Data;

/// <summary>A real SQLite file in a fresh temp directory, migrated with the real scripts.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const int BusyTimeoutMilliseconds = 2_000;

    private TestDatabase(string directory)
    {
        Directory = directory;
        Location = DatabaseLocation.Resolve(directory, new StorageOptions { DataDirectory = "data" }, null);
        Clock = new FakeTimeProvider(new DateTimeOffset(2025, 1, 10, 14, 0, 0, TimeSpan.Zero));
        Protector = new AesGcmSecretProtector(new RootKeyRing(RootKey.Generate()));
        Cache = new SecretValueCache(Clock);
        ContextFactory = new Factory(this);
    }

    public string Directory { get; }

    public DatabaseLocation Location { get; }

    public string DatabaseFile => Location.DatabaseFile!;

    public FakeTimeProvider Clock { get; }

    public ISecretProtector Protector { get; }

    public SecretValueCache Cache { get; }

    public IDbContextFactory<RotationDashboardDbContext> ContextFactory { get; }

    /// <summary>An empty database file (no schema yet).</summary>
    public static TestDatabase CreateEmpty() =>
        new(System.IO.Directory.CreateTempSubdirectory("rotation-dashboard-tests-").FullName);

    /// <summary>A migrated database, optionally seeded with the default project.</summary>
    public static async Task<TestDatabase> CreateAsync(bool seed = true)
    {
        var database = CreateEmpty();
        await database.CreateMigrator().MigrateAsync();
        if (seed)
        {
            await new DatabaseSeeder(database.ContextFactory, database.Clock, NullLogger<DatabaseSeeder>.Instance).SeedAsync();
        }

        return database;
    }

    public DatabaseMigrator CreateMigrator(IReadOnlyList<MigrationScript>? scripts = null) =>
        new(Location, BusyTimeoutMilliseconds, Clock, NullLogger<DatabaseMigrator>.Instance, scripts ?? MigrationScript.LoadEmbedded(),
            [new SecretVersionBindingMigration(Protector, NullLogger<SecretVersionBindingMigration>.Instance)]);

    public RotationDashboardDbContext CreateContext() => ContextFactory.CreateDbContext();

    public SecretStoreService CreateSecretStore() =>
        new(ContextFactory, Protector, Clock, NullLogger<SecretStoreService>.Instance);

    /// <summary>The engine's port to the secret store.</summary>
    public RotationSecretStore RotationSecrets => new(ContextFactory, Protector, Clock);

    /// <summary>Consumers' reads, over the shared <see cref="Cache"/>.</summary>
    public ConsumerSecretReads ConsumerReads => new(ContextFactory, Protector, Cache);

    public AuditLogService CreateAuditLog() => new(ContextFactory, Clock);

    public SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(Location.ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>The root folder of the default project's environment <paramref name="slug"/>.</summary>
    public async Task<Folder> RootFolderAsync(string slug = "dev")
    {
        await using var db = CreateContext();
        return await db.Folders.SingleAsync(f => f.Path == FolderPath.Root
            && db.Environments.Any(e => e.Id == f.EnvironmentId && e.Slug == slug));
    }

    public async Task<Project> DefaultProjectAsync()
    {
        await using var db = CreateContext();
        return await db.Projects.SingleAsync(p => p.Slug == Project.DefaultSlug);
    }

    /// <summary>Adds a connection and a rotation in the dev root folder.</summary>
    public async Task<Rotation> AddRotationAsync(string name = "my-auth0-rotation", SecretsMapping? mapping = null)
    {
        await using var db = CreateContext();
        var folder = await db.Folders.SingleAsync(f => f.Path == FolderPath.Root
            && db.Environments.Any(e => e.Id == f.EnvironmentId && e.Slug == "dev"));
        var environment = await db.Environments.SingleAsync(e => e.Id == folder.EnvironmentId);
        var connection = Connection.Create(
            new ConnectionSettings($"conn-{name}", "tenant.us.auth0.com", "m2m"), "connection-secret-value", Protector, Clock.GetUtcNow());
        var rotation = Rotation.Create(new RotationSettings
        {
            Name = name,
            ConnectionId = connection.Id,
            ProjectId = environment.ProjectId,
            EnvironmentId = environment.Id,
            FolderId = folder.Id,
            Parameters = new RotationParameters("app-client-id"),
            SecretsMapping = mapping ?? SecretsMapping.DefaultFor(RotationType.Auth0ClientSecret),
        }, Clock.GetUtcNow());
        db.AddRange(connection, rotation);
        await db.SaveChangesAsync();
        return rotation;
    }

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        await Task.Yield();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a lingering handle must not fail the test.
        }
    }

    private sealed class Factory(TestDatabase database) : IDbContextFactory<RotationDashboardDbContext>
    {
        private readonly SecretCacheInvalidationInterceptor _interceptor = new(database.Cache);

        public RotationDashboardDbContext CreateDbContext() =>
            new(new DbContextOptionsBuilder<RotationDashboardDbContext>()
                .UseRotationDashboardSqlite(database.Location.ConnectionString, BusyTimeoutMilliseconds, _interceptor)
                .Options);
    }
}
