using RotationDashboard.Testing;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Scheduling;

namespace RotationDashboard.Web.Tests.Data;

[Trait(TestKind.Trait, TestKind.Unit)]
public class ConventionsTests
{
    [Fact]
    public async Task Timestamps_are_utc_ticks_that_sqlite_can_compare_and_order()
    {
        await using var database = await TestDatabase.CreateAsync();
        var early = await database.AddRotationAsync("early");
        var late = await database.AddRotationAsync("late");
        await using (var db = database.CreateContext())
        {
            var now = database.Clock.GetUtcNow();
            (await db.Rotations.SingleAsync(r => r.Id == early.Id)).RecordSuccess(Guid.NewGuid(), false, NextRotationCalculator.Default, now.AddDays(-40));
            (await db.Rotations.SingleAsync(r => r.Id == late.Id)).RecordSuccess(Guid.NewGuid(), false, NextRotationCalculator.Default, now);
            await db.SaveChangesAsync();
        }

        await using var query = database.CreateContext();
        var cutoff = new DateTimeOffset(2025, 1, 10, 16, 0, 0, TimeSpan.FromHours(2)); // 14:00 UTC
        var due = await query.Rotations.Where(r => r.NextRotationAt <= cutoff).Select(r => r.Name).ToListAsync();
        var ordered = await query.Rotations.OrderByDescending(r => r.NextRotationAt).Select(r => r.Name).ToListAsync();

        Assert.Equal(["early"], due);
        Assert.Equal(["late", "early"], ordered);
        var stored = await query.Rotations.SingleAsync(r => r.Id == late.Id);
        Assert.Equal(database.Clock.GetUtcNow(), stored.LastRotatedAt);
        Assert.Equal(TimeSpan.Zero, stored.LastRotatedAt!.Value.Offset);

        using var connection = database.OpenConnection();
        using var raw = connection.CreateCommand();
        raw.CommandText = "SELECT typeof(last_rotated_at), last_rotated_at, type, rotation_status, strategy, staged_lead_time FROM rotations WHERE name = 'late'";
        using var reader = raw.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal("integer", reader.GetString(0));
        Assert.Equal(database.Clock.GetUtcNow().UtcTicks, reader.GetInt64(1));
        Assert.Equal("auth0-client-secret", reader.GetString(2));
        Assert.Equal("success", reader.GetString(3));
        Assert.Equal("SinglePhase", reader.GetString(4));
        Assert.Equal((long)RotationRules.DefaultStagedLeadTime.TotalSeconds, reader.GetInt64(5));
    }

    [Fact]
    public async Task Complex_values_and_enums_round_trip()
    {
        await using var database = await TestDatabase.CreateAsync();
        var mapping = new SecretsMapping("MY_CLIENT_ID", "MY_CLIENT_SECRET");
        var created = await database.AddRotationAsync(mapping: mapping);

        await using var db = database.CreateContext();
        var stored = await db.Rotations.SingleAsync(r => r.Id == created.Id);

        Assert.Equal(mapping, stored.SecretsMapping);
        Assert.Equal(new RotationParameters("app-client-id"), stored.Parameters);
        Assert.Equal(RotateAtUtc.Midnight, stored.RotateAtUtc);
        Assert.Equal(RotationType.Auth0ClientSecret, stored.Type);
        Assert.Null(stored.RotationStatus);
        Assert.Equal(1, await db.Rotations.CountAsync(r => r.Type == RotationType.Auth0ClientSecret && r.SecretsMapping.ClientId == "MY_CLIENT_ID"));
    }

    [Fact]
    public async Task Every_connection_gets_the_busy_timeout_and_foreign_keys()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var db = database.CreateContext();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();

        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout;";
        Assert.Equal((long)TestDatabase.BusyTimeoutMilliseconds, command.ExecuteScalar());
        command.CommandText = "PRAGMA foreign_keys;";
        Assert.Equal(1L, command.ExecuteScalar());
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public async Task Foreign_keys_are_enforced()
    {
        await using var database = await TestDatabase.CreateAsync();
        var rotation = await database.AddRotationAsync();
        await using var db = database.CreateContext();

        // A connection used by a rotation cannot be deleted.
        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() =>
            db.Connections.Where(c => c.Id == rotation.ConnectionId).ExecuteDeleteAsync());
    }
}
