using RotationDashboard.Testing;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Scheduling;
using RotationDashboard.Core.Secrets;

namespace RotationDashboard.Web.Tests.Data;

[Trait(TestKind.Trait, TestKind.Unit)]
public class ConcurrencyTests
{
    [Fact]
    public async Task Rotation_row_version_increments_and_a_stale_save_is_rejected()
    {
        await using var database = await TestDatabase.CreateAsync();
        var created = await database.AddRotationAsync();
        Assert.Equal(0, created.RowVersion);

        await using var first = database.CreateContext();
        await using var second = database.CreateContext();
        var mine = await first.Rotations.SingleAsync(r => r.Id == created.Id);
        var theirs = await second.Rotations.SingleAsync(r => r.Id == created.Id);

        mine.SetAutoRotation(false, NextRotationCalculator.Default, database.Clock.GetUtcNow());
        await first.SaveChangesAsync();
        Assert.Equal(1, mine.RowVersion);

        theirs.Update(new RotationChanges { Description = "lost update" }, NextRotationCalculator.Default, database.Clock.GetUtcNow());
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());

        await using var check = database.CreateContext();
        var stored = await check.Rotations.SingleAsync(r => r.Id == created.Id);
        Assert.False(stored.IsAutoRotationEnabled);
        Assert.Null(stored.Description);
        Assert.Equal(1, stored.RowVersion);
    }

    [Fact]
    public async Task Secret_row_version_protects_against_concurrent_version_writes()
    {
        await using var database = await TestDatabase.CreateAsync();
        var folder = await database.RootFolderAsync();
        var author = SecretAuthor.Manual(Actor.User("ada"));
        var secret = Secret.Create(folder.Id, "DB_PASSWORD", "v1", author, database.Protector, database.Clock.GetUtcNow());
        await using (var db = database.CreateContext())
        {
            db.Secrets.Add(secret);
            await db.SaveChangesAsync();
        }

        await using var first = database.CreateContext();
        await using var second = database.CreateContext();
        var mine = await first.Secrets.Include(s => s.Versions).SingleAsync(s => s.Id == secret.Id);
        var theirs = await second.Secrets.Include(s => s.Versions).SingleAsync(s => s.Id == secret.Id);

        mine.SetValue("v2-mine", author, database.Protector, database.Clock.GetUtcNow());
        await first.SaveChangesAsync();
        theirs.SetValue("v2-theirs", author, database.Protector, database.Clock.GetUtcNow());

        // Both writers add "version 2": whichever check fires first (row version or the unique version
        // number), it surfaces as a concurrency conflict.
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());

        await using var check = database.CreateContext();
        var stored = await check.Secrets.Include(s => s.Versions).SingleAsync(s => s.Id == secret.Id);
        Assert.Equal("v2-mine", stored.RevealCurrent(database.Protector));
        Assert.Equal(1, stored.RowVersion);
        Assert.Equal(2, stored.Versions.Count);
    }

    [Fact]
    public async Task A_stage_change_without_a_new_version_is_caught_by_the_row_version()
    {
        await using var database = await TestDatabase.CreateAsync();
        var rotation = await database.AddRotationAsync();
        var folder = await database.RootFolderAsync();
        var author = SecretAuthor.Rotation(rotation.Id, rotation.Name);
        var secret = Secret.Create(folder.Id, "AUTH0_CLIENT_SECRET", "v1", author, database.Protector, database.Clock.GetUtcNow());
        secret.PublishNext("v2", author, database.Protector, database.Clock.GetUtcNow());
        await using (var db = database.CreateContext())
        {
            db.Secrets.Add(secret);
            await db.SaveChangesAsync();
        }

        await using var first = database.CreateContext();
        await using var second = database.CreateContext();
        var mine = await first.Secrets.Include(s => s.Versions).SingleAsync(s => s.Id == secret.Id);
        var theirs = await second.Secrets.Include(s => s.Versions).SingleAsync(s => s.Id == secret.Id);
        mine.PromoteNext(author, database.Clock.GetUtcNow());
        await first.SaveChangesAsync();

        theirs.PromoteNext(author, database.Clock.GetUtcNow().AddSeconds(1));
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());
    }

    [Fact]
    public async Task Deleting_a_stale_secret_is_rejected()
    {
        await using var database = await TestDatabase.CreateAsync();
        var folder = await database.RootFolderAsync();
        var author = SecretAuthor.Manual(Actor.User("ada"));
        var secret = Secret.Create(folder.Id, "K", "v1", author, database.Protector, database.Clock.GetUtcNow());
        await using (var db = database.CreateContext())
        {
            db.Secrets.Add(secret);
            await db.SaveChangesAsync();
        }

        await using var first = database.CreateContext();
        await using var second = database.CreateContext();
        var mine = await first.Secrets.Include(s => s.Versions).SingleAsync(s => s.Id == secret.Id);
        var theirs = await second.Secrets.SingleAsync(s => s.Id == secret.Id);
        mine.SetValue("v2", author, database.Protector, database.Clock.GetUtcNow());
        await first.SaveChangesAsync();

        second.Secrets.Remove(theirs);
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());
    }
}
