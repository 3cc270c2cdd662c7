using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Testing;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Hosting.Cluster;
using RotationDashboard.Web.Services.Rotations;
using RotationDashboard.Web.Services.Secrets;
using RotationDashboard.Web.Tests.Data;
using Xunit.Abstractions;

namespace RotationDashboard.Web.Tests.Cluster;

/// <summary>
/// What instances share through PostgreSQL, piece by piece: the events one instance relays to the others (live UI
/// updates of runs executed elsewhere, secret cache invalidations) and the rotation lease under concurrent claims.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
[Trait(TestKind.Trait, TestKind.Integration)]
public class ClusterStateTests(PostgreSqlFixture postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task Run_events_and_cache_invalidations_of_one_instance_reach_the_other_within_the_poll_bound()
    {
        var database = await postgres.CreateDatabaseAsync("relay");
        var location = new DatabaseLocation(Path.GetTempPath(), database, DatabaseProvider.PostgreSql);
        await new DatabaseMigrator(location, 2_000, TimeProvider.System, NullLogger<DatabaseMigrator>.Instance, MigrationScript.LoadEmbedded(DatabaseProvider.PostgreSql)).MigrateAsync();
        await using var one = Relay(location);
        await using var two = Relay(location);
        await one.StartAsync();
        await two.StartAsync();
        await Task.Delay(1_500); // both have read where the table starts

        // A run executed by instance one: instance two's circuits see the same events, in order.
        var received = new List<RotationEvent>();
        using var subscription = two.Notifier.Subscribe(e => { lock (received) received.Add(e); });
        var rotationId = Guid.NewGuid();
        var runId = Guid.NewGuid();
        var watch = Stopwatch.StartNew();
        one.Notifier.Publish(new RunStartedEvent(rotationId, runId, RunTrigger.Manual, false, DateTimeOffset.UtcNow));
        one.Notifier.Publish(new RunStepChangedEvent(rotationId, runId, RunStepName.Generate, RunStepStatus.Succeeded, "issued", DateTimeOffset.UtcNow));
        one.Notifier.Publish(new RunFinishedEvent(rotationId, runId, RunStatus.Succeeded, null, DateTimeOffset.UtcNow));
        while (true)
        {
            lock (received) if (received.Count >= 3) break;
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"instance two received {received.Count} of 3 events");
            await Task.Delay(20);
        }

        output.WriteLine($"run events relayed in {watch.ElapsedMilliseconds} ms (poll interval 1 s)");
        Assert.Equal([typeof(RunStartedEvent), typeof(RunStepChangedEvent), typeof(RunFinishedEvent)], received.Select(e => e.GetType()));
        Assert.Equal(new RunStepChangedEvent(rotationId, runId, RunStepName.Generate, RunStepStatus.Succeeded, "issued", ((RunStepChangedEvent)received[1]).OccurredAt), received[1]);
        await Task.Delay(1_500);
        lock (received) Assert.Equal(3, received.Count); // relayed once, and never echoed back

        // A write on instance one drops instance two's cached secret reads.
        var generation = two.Cache.Generation;
        watch.Restart();
        one.Cache.InvalidateAll();
        while (two.Cache.Generation == generation)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), "instance two kept its cache");
            await Task.Delay(20);
        }

        output.WriteLine($"cache invalidation relayed in {watch.ElapsedMilliseconds} ms");
        // The bound: the poll interval (1 s) plus a round trip; the margin is for a loaded CI machine.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"{watch.ElapsedMilliseconds} ms");
        await postgres.Server.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task Concurrent_claims_on_one_rotation_s_lease_have_exactly_one_winner()
    {
        var database = await postgres.CreateDatabaseAsync("lease");
        var location = new DatabaseLocation(Path.GetTempPath(), database, DatabaseProvider.PostgreSql);
        await new DatabaseMigrator(location, 2_000, TimeProvider.System, NullLogger<DatabaseMigrator>.Instance, MigrationScript.LoadEmbedded(DatabaseProvider.PostgreSql)).MigrateAsync();
        var contexts = new Contexts(database);
        var rotation = await AddRotationAsync(contexts);

        for (var round = 0; round < 5; round++)
        {
            var stores = Enumerable.Range(0, 8).Select(_ => new EfRunStore(contexts, TimeProvider.System)).ToList();
            var claims = await Task.WhenAll(stores.Select((store, i) => Task.Run(() => store.TryAcquireLeaseAsync(rotation, $"instance-{i}/{round}", TimeSpan.FromSeconds(30), CancellationToken.None))));
            Assert.Single(claims, won => won);
            var winner = $"instance-{Array.IndexOf(claims, true)}/{round}";
            Assert.Equal(winner, (await stores[0].GetLeaseAsync(rotation, CancellationToken.None))!.Holder);
            await stores[0].ReleaseLeaseAsync(rotation, winner, CancellationToken.None);
        }

        await postgres.Server.DropDatabaseAsync(database);
    }

    private static async Task<Guid> AddRotationAsync(Contexts contexts)
    {
        var seeder = new DatabaseSeeder(contexts, TimeProvider.System, NullLogger<DatabaseSeeder>.Instance);
        await seeder.SeedAsync();
        await using var db = contexts.CreateDbContext();
        var folder = await db.Folders.FirstAsync();
        var environment = await db.Environments.SingleAsync(e => e.Id == folder.EnvironmentId);
        var protector = new AesGcmSecretProtector(new RootKeyRing(RootKey.Generate()));
        var connection = Core.Connections.Connection.Create(new Core.Connections.ConnectionSettings("conn", "tenant.us.auth0.com", "m2m"), "connection-secret", protector, DateTimeOffset.UtcNow);
        var rotation = Rotation.Create(new RotationSettings
        {
            Name = "leased",
            ConnectionId = connection.Id,
            ProjectId = environment.ProjectId,
            EnvironmentId = environment.Id,
            FolderId = folder.Id,
            Parameters = new RotationParameters("app-client-id"),
            SecretsMapping = SecretsMapping.DefaultFor(RotationType.Auth0ClientSecret),
        }, DateTimeOffset.UtcNow);
        db.AddRange(connection, rotation);
        await db.SaveChangesAsync();
        return rotation.Id;
    }

    private static RelayInstance Relay(DatabaseLocation location) => new(location);

    private sealed class Contexts(string connectionString) : IDbContextFactory<RotationDashboardDbContext>
    {
        public RotationDashboardDbContext CreateDbContext() =>
            new(new DbContextOptionsBuilder<RotationDashboardDbContext>().UseRotationDashboardPostgreSql(connectionString).Options);
    }

    /// <summary>What one instance has of the relay: its own notifier and cache, and the relay between them and the table.</summary>
    private sealed class RelayInstance : IAsyncDisposable
    {
        private readonly ClusterEventRelay _relay;
        private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();

        public RelayInstance(DatabaseLocation location)
        {
            Notifier = new RotationRunNotifier(NullLogger<RotationRunNotifier>.Instance);
            Cache = new SecretValueCache(TimeProvider.System);
            _relay = new ClusterEventRelay(location, Cache, Notifier, _services,
                Options.Create(new StorageOptions { ClusterPollInterval = TimeSpan.FromSeconds(1) }), TimeProvider.System, NullLogger<ClusterEventRelay>.Instance);
        }

        public RotationRunNotifier Notifier { get; }

        public SecretValueCache Cache { get; }

        public Task StartAsync() => _relay.StartAsync(CancellationToken.None);

        public async ValueTask DisposeAsync()
        {
            await _relay.StopAsync(CancellationToken.None);
            _relay.Dispose();
            await _services.DisposeAsync();
        }
    }
}
