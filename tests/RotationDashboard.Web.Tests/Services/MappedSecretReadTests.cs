using RotationDashboard.Testing;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Web.Services.Secrets;
using RotationDashboard.Web.Tests.Data;

namespace RotationDashboard.Web.Tests.Services;

[Trait(TestKind.Trait, TestKind.Unit)]
public class MappedSecretReadTests
{
    private static readonly Actor Ada = Actor.User("ada");

    [Fact]
    public async Task Returns_current_and_next_with_version_ids()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = database.CreateSecretStore();
        var (projectId, folder, identity) = await SetUpRotationSecretAsync(database, store);
        await store.PublishNextAsync(identity, folder, new Dictionary<string, string> { ["AUTH0_CLIENT_SECRET"] = "next" }, Actor.Scheduler);

        var mapped = await store.GetMappedSecretAsync(projectId, "dev", "/", "AUTH0_CLIENT_SECRET");

        Assert.Equal(("current", "next"), (mapped!.Current, mapped.Next));
        Assert.NotEqual(mapped.CurrentVersionId, mapped.NextVersionId);
        Assert.DoesNotContain("current", mapped.ToString().Replace("CurrentVersionId", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Null(await store.GetMappedSecretAsync(projectId, "prod", "/", "AUTH0_CLIENT_SECRET"));
        Assert.Null(await store.GetMappedSecretAsync(projectId, "dev", "/../x", "AUTH0_CLIENT_SECRET"));
        Assert.Null(await store.GetMappedSecretAsync(Guid.NewGuid(), "dev", "/", "AUTH0_CLIENT_SECRET"));
    }

    [Fact]
    public async Task Repeated_reads_are_served_from_the_cache()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = database.CreateSecretStore();
        var (projectId, _, _) = await SetUpRotationSecretAsync(database, store);
        var first = await store.GetMappedSecretAsync(projectId, "dev", "/", "AUTH0_CLIENT_SECRET");

        // Break the stored blob behind EF's back: a cached read never touches it.
        using (var connection = database.OpenConnection())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "UPDATE secret_versions SET encrypted_value = x'00'";
            command.ExecuteNonQuery();
        }

        var second = await store.GetMappedSecretAsync(projectId, "dev", "/", "AUTH0_CLIENT_SECRET");
        Assert.Same(first, second);
    }

    [Fact]
    public async Task Every_write_path_invalidates_the_cache()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = database.CreateSecretStore();
        var (projectId, folder, identity) = await SetUpRotationSecretAsync(database, store);
        async Task<MappedSecret> Read() => (await store.GetMappedSecretAsync(projectId, "dev", "/", "AUTH0_CLIENT_SECRET"))!;

        Assert.Equal("current", (await Read()).Current);

        await store.PublishNextAsync(identity, folder, new Dictionary<string, string> { ["AUTH0_CLIENT_SECRET"] = "next" }, Actor.Scheduler);
        Assert.Equal("next", (await Read()).Next);

        await store.PromoteNextAsync(identity, folder, ["AUTH0_CLIENT_SECRET"], Actor.Scheduler);
        Assert.Equal(("next", null), ((await Read()).Current, (await Read()).Next));

        await store.SetCurrentAsync(identity, folder, new Dictionary<string, string> { ["AUTH0_CLIENT_SECRET"] = "set" }, Actor.Scheduler);
        Assert.Equal("set", (await Read()).Current);

        await store.ReleaseRotationSecretsAsync(identity, Ada);
        var id = (await Read()).SecretId;
        await store.UpdateSecretAsync(id, new SecretUpdate(NewValue: "manual"), Ada);
        Assert.Equal("manual", (await Read()).Current);

        // A write that bypasses the service (e.g. the rotation engine with its own DbContext) too.
        await using (var db = database.CreateContext())
        {
            var secret = await db.Secrets.Include(s => s.Versions).SingleAsync(s => s.Id == id);
            secret.SetValue("direct", SecretAuthor.Manual(Ada), database.Protector, database.Clock.GetUtcNow());
            await db.SaveChangesAsync();
        }

        Assert.Equal("direct", (await Read()).Current);

        await using (var db = database.CreateContext())
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            var secret = await db.Secrets.Include(s => s.Versions).SingleAsync(s => s.Id == id);
            secret.SetValue("in-transaction", SecretAuthor.Manual(Ada), database.Protector, database.Clock.GetUtcNow());
            await db.SaveChangesAsync();
            Assert.Equal("direct", (await Read()).Current); // not committed yet
            await transaction.CommitAsync();
        }

        Assert.Equal("in-transaction", (await Read()).Current);

        await store.UpdateSecretAsync(id, new SecretUpdate(NewKey: "RENAMED"), Ada);
        Assert.Null(await store.GetMappedSecretAsync(projectId, "dev", "/", "AUTH0_CLIENT_SECRET"));

        await store.DeleteSecretAsync(id, Ada);
        Assert.Null(await store.GetMappedSecretAsync(projectId, "dev", "/", "RENAMED"));
    }

    [Fact]
    public async Task Cached_values_expire()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = database.CreateSecretStore();
        var (projectId, _, _) = await SetUpRotationSecretAsync(database, store);
        var first = await store.GetMappedSecretAsync(projectId, "dev", "/", "AUTH0_CLIENT_SECRET");

        database.Clock.Advance(SecretValueCache.TimeToLive + TimeSpan.FromSeconds(1));

        Assert.NotSame(first, await store.GetMappedSecretAsync(projectId, "dev", "/", "AUTH0_CLIENT_SECRET"));
    }

    [Fact]
    public void A_read_that_raced_a_write_is_not_cached()
    {
        var cache = new SecretValueCache(TimeProvider.System);
        var location = new MappedSecretLocation(Guid.NewGuid(), "dev", "/", "K");
        var generationAtRead = cache.Generation;

        cache.InvalidateAll(); // a write committed while the read was in flight
        cache.Store(location, new MappedSecret(Guid.NewGuid(), "K", "stale", null, null, null), generationAtRead);

        Assert.False(cache.TryGet(location, out _));
    }

    [Fact]
    public void A_cached_batch_is_served_only_when_every_value_is_from_the_current_generation()
    {
        var cache = new SecretValueCache(TimeProvider.System);
        var a = new MappedSecretLocation(Guid.NewGuid(), "dev", "/", "A");
        var b = a with { Key = "B" };
        cache.Store(a, new MappedSecret(Guid.NewGuid(), "A", "old-a", null, null, null), cache.Generation);

        cache.InvalidateAll(); // a promotion committed; a later single read caches B's new value
        cache.Store(b, new MappedSecret(Guid.NewGuid(), "B", "new-b", null, null, null), cache.Generation);
        Assert.False(cache.TryGetAll([a, b], out _));

        cache.Store(a, new MappedSecret(Guid.NewGuid(), "A", "new-a", null, null, null), cache.Generation);
        Assert.True(cache.TryGetAll([a, b], out var values));
        Assert.Equal(["new-a", "new-b"], values.Select(v => v.Current));
    }

    [Fact]
    public async Task A_credential_set_is_read_whole_cached_and_invalidated_by_a_promotion()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = database.CreateSecretStore();
        var (projectId, folder, identity) = await SetUpRotationSecretAsync(database, store);
        await store.SetCurrentAsync(identity, folder, new Dictionary<string, string> { ["AUTH0_CLIENT_ID"] = "app-client-id" }, Actor.Scheduler);
        await store.PublishNextAsync(identity, folder, new Dictionary<string, string> { ["AUTH0_CLIENT_SECRET"] = "next" }, Actor.Scheduler);

        var first = (await store.GetCredentialSetAsync(projectId, "dev", "/", "AUTH0_CLIENT_ID")).Value;
        Assert.Equal(["AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"], first.Secrets.Keys.Order());
        Assert.Equal(("current", "next"), (first.Credential!.Current, first.Credential.Next));
        Assert.Same(first, (await store.GetCredentialSetAsync(projectId, "dev", "/", "AUTH0_CLIENT_ID")).Value);
        Assert.DoesNotContain("current", first.ToString(), StringComparison.Ordinal);

        await store.PromoteNextAsync(identity, folder, ["AUTH0_CLIENT_SECRET"], Actor.Scheduler);
        var promoted = (await store.GetCredentialSetAsync(projectId, "dev", "/", "AUTH0_CLIENT_ID")).Value;
        Assert.Equal(("next", null), (promoted.Credential!.Current, promoted.Credential.Next));
        Assert.True(promoted.Credential.CurrentVersion > first.Credential.CurrentVersion);

        var batch = await store.GetMappedSecretsAsync(projectId, "dev", "/", ["AUTH0_CLIENT_SECRET", "AUTH0_CLIENT_ID", "MISSING"]);
        Assert.Equal(("next", "app-client-id"), (batch["AUTH0_CLIENT_SECRET"].Current, batch["AUTH0_CLIENT_ID"].Current));
        Assert.False(batch.ContainsKey("MISSING"));
    }

    private static async Task<(Guid ProjectId, Guid FolderId, RotationIdentity Identity)> SetUpRotationSecretAsync(
        TestDatabase database,
        SecretStoreService store)
    {
        var folder = await database.RootFolderAsync();
        var project = await database.DefaultProjectAsync();
        var rotation = await database.AddRotationAsync();
        var identity = new RotationIdentity(rotation.Id, rotation.Name);
        var result = await store.SetCurrentAsync(identity, folder.Id, new Dictionary<string, string> { ["AUTH0_CLIENT_SECRET"] = "current" }, Actor.Scheduler);
        Assert.True(result.Succeeded, result.ToString());
        return (project.Id, folder.Id, identity);
    }
}
