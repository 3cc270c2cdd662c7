using RotationDashboard.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Tests.Data;

/// <summary>A secret version's ciphertext is bound to that version; migration 0006 binds the versions written before.</summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class SecretVersionBindingTests
{
    private static readonly Actor Ada = Actor.User("ada@example.com");

    [Fact]
    public async Task A_ciphertext_swapped_between_two_versions_of_a_secret_is_refused()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = database.CreateSecretStore();
        var folder = await database.RootFolderAsync();
        var created = await store.CreateSecretAsync(folder.Id, "SWAPPED", "first-value", Ada);
        Assert.True(created.Succeeded);
        Assert.True((await store.UpdateSecretAsync(created.Value.Id, new(NewValue: "second-value"), Ada)).Succeeded);

        // Someone with write access to the database file copies the old version's ciphertext onto the current one.
        await using (var connection = new SqliteConnection(database.Location.ConnectionString))
        {
            await connection.OpenAsync();
            await using var swap = connection.CreateCommand();
            swap.CommandText = """
                UPDATE "secret_versions" SET "encrypted_value" =
                    (SELECT "encrypted_value" FROM "secret_versions" WHERE upper("secret_id") = $secret AND "version" = 1)
                WHERE upper("secret_id") = $secret AND "version" = 2;
                """;
            swap.Parameters.AddWithValue("$secret", created.Value.Id.ToString().ToUpperInvariant());
            Assert.Equal(1, await swap.ExecuteNonQueryAsync());
        }

        await Assert.ThrowsAsync<SecretDecryptionException>(() => store.RevealAsync(created.Value.Id, null, Ada));
    }

    [Fact]
    public async Task Versions_written_before_the_binding_still_read_after_migration_0006_and_only_as_their_own_version()
    {
        await using var database = TestDatabase.CreateEmpty();
        // Every schema but 0006 (later ones add columns today's model writes): the data is then written as before the binding.
        var before = MigrationScript.LoadEmbedded().Where(s => s.Version != 6).ToList();
        await database.CreateMigrator(before).MigrateAsync();
        await new DatabaseSeeder(database.ContextFactory, database.Clock, NullLogger<DatabaseSeeder>.Instance).SeedAsync();
        var store = database.CreateSecretStore();
        var folder = await database.RootFolderAsync();
        var created = await store.CreateSecretAsync(folder.Id, "OLD_SECRET", "value-from-before", Ada);
        Assert.True((await store.UpdateSecretAsync(created.Value.Id, new(NewValue: "newer-value-from-before"), Ada)).Succeeded);

        // As the previous release wrote them: bound to the secret only.
        await using (var db = database.CreateContext())
        {
            foreach (var version in await db.SecretVersions.Where(v => v.SecretId == created.Value.Id).ToListAsync())
            {
                var value = version.Version == 1 ? "value-from-before" : "newer-value-from-before";
                var blob = database.Protector.ProtectString(value, ProtectionPurposes.SecretValue(created.Value.Id));
                var id = version.Id.ToString().ToUpperInvariant();
                Assert.Equal(1, await db.Database.ExecuteSqlInterpolatedAsync($"""UPDATE "secret_versions" SET "encrypted_value" = {blob} WHERE upper("id") = {id}"""));
            }
        }

        // Only 0006 is left to apply: its behaviour alone, whatever later scripts exist.
        Assert.Equal([6], await database.CreateMigrator().MigrateAsync());

        Assert.Equal("newer-value-from-before", (await store.RevealAsync(created.Value.Id, null, Ada)).Value.Value);
        await using (var db = database.CreateContext())
        {
            var versions = await db.SecretVersions.AsNoTracking().Where(v => v.SecretId == created.Value.Id).OrderBy(v => v.Version).ToListAsync();
            Assert.Equal("value-from-before", (await store.RevealAsync(created.Value.Id, versions[0].Id, Ada)).Value.Value);
            // The old-format blob is gone: nothing decrypts under the secret-only purpose any more.
            Assert.Throws<SecretDecryptionException>(() => database.Protector.UnprotectString(versions[1].EncryptedValue, ProtectionPurposes.SecretValue(created.Value.Id)));
            Assert.Equal("newer-value-from-before",
                database.Protector.UnprotectString(versions[1].EncryptedValue, ProtectionPurposes.SecretVersionValue(created.Value.Id, versions[1].Id)));
        }
    }
}
