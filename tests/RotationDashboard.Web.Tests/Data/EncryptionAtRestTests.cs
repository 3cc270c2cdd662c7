using RotationDashboard.Testing;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Scheduling;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Core.Security;

namespace RotationDashboard.Web.Tests.Data;

/// <summary>Writes known secret values through every encrypted column and scans the raw database files for them.</summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public class EncryptionAtRestTests
{
    private const string SecretValue = "PLAINTEXT-CANARY-secret-value-7f3a9c";
    private const string NextValue = "PLAINTEXT-CANARY-next-value-52be01";
    private const string CredentialValue = "PLAINTEXT-CANARY-generated-credential-c4d2";
    private const string ErrorValue = "PLAINTEXT-CANARY-error-message-9911";
    private const string PendingValue = "PLAINTEXT-CANARY-pending-credential-a0a0";

    [Fact]
    public async Task Database_and_wal_files_never_contain_a_plaintext_secret()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = database.CreateSecretStore();
        var folder = await database.RootFolderAsync();
        var actor = Actor.User("ada@example.com");

        // Manual secret, reveal and update (values pass through the audit path too).
        var created = await store.CreateSecretAsync(folder.Id, "DB_PASSWORD", SecretValue, actor);
        Assert.True(created.Succeeded);
        Assert.True((await store.RevealAsync(created.Value.Id, null, actor)).Succeeded);
        Assert.True((await store.UpdateSecretAsync(created.Value.Id, new(NewValue: SecretValue + "-2"), actor)).Succeeded);

        // Rotation-owned secrets, credentials, last message, run with a pending credential.
        var rotation = await database.AddRotationAsync();
        var identity = new RotationIdentity(rotation.Id, rotation.Name);
        Assert.True((await store.SetCurrentAsync(identity, folder.Id, new Dictionary<string, string> { ["AUTH0_CLIENT_SECRET"] = SecretValue }, Actor.Scheduler)).Succeeded);
        Assert.True((await store.PublishNextAsync(identity, folder.Id, new Dictionary<string, string> { ["AUTH0_CLIENT_SECRET"] = NextValue }, Actor.Scheduler)).Succeeded);
        await using (var db = database.CreateContext())
        {
            var tracked = await db.Rotations.SingleAsync(r => r.Id == rotation.Id);
            tracked.StoreGeneratedCredentials([new GeneratedCredential("app-client-id", CredentialValue)], 0, database.Protector, database.Clock.GetUtcNow());
            var run = RotationRun.Start(tracked, RunTrigger.Manual, actor, database.Clock.GetUtcNow());
            run.StorePendingCredential(new GeneratedCredential("app-client-id", PendingValue), database.Protector);
            run.StartStep(RunStepName.Apply, database.Clock.GetUtcNow());
            run.FailStep(RunStepName.Apply, $"Auth0 said no to {PendingValue}", new SecretScrubber([PendingValue]), database.Clock.GetUtcNow());
            tracked.RecordFailure(run.Id, $"boom {ErrorValue}", true, database.Protector, NextRotationCalculator.Default, database.Clock.GetUtcNow());
            db.RotationRuns.Add(run);
            await db.SaveChangesAsync();
        }

        string[] canaries = [SecretValue, NextValue, CredentialValue, ErrorValue, PendingValue, "connection-secret-value"];
        AssertFilesFree(database, canaries, "before checkpoint");

        using (var connection = database.OpenConnection())
        using (var checkpoint = connection.CreateCommand())
        {
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            checkpoint.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        AssertFilesFree(database, canaries, "after checkpoint");

        // Sanity: the values are really stored (encrypted), not lost.
        Assert.Equal(NextValue, (await store.ReadNextAsync(folder.Id, "AUTH0_CLIENT_SECRET"))!.Value);
    }

    private static void AssertFilesFree(TestDatabase database, string[] canaries, string when)
    {
        var files = new[] { database.DatabaseFile, database.DatabaseFile + "-wal" }.Where(File.Exists).ToList();
        Assert.Contains(database.DatabaseFile, files);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            foreach (var canary in canaries)
            {
                Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(canary)), $"{Path.GetFileName(file)} contains \"{canary}\" in UTF-8 ({when})");
                Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(canary)), $"{Path.GetFileName(file)} contains \"{canary}\" in UTF-16 ({when})");
            }
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
