using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RotationDashboard.Testing;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Tests.Data;

/// <summary>
/// The PostgreSQL twins of the migrations, on a real PostgreSQL: the schema they build is exactly what EF Core's model
/// would create there (the SQLite test's twin), and two instances starting at once apply each script once.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
[Trait(TestKind.Trait, TestKind.Integration)]
public class PostgreSqlMigrationTests(PostgreSqlFixture postgres)
{
    [Fact]
    public async Task Migrated_postgresql_schema_equals_the_schema_generated_from_the_ef_model()
    {
        var migrated = await postgres.CreateDatabaseAsync("schema_migrated");
        var generated = await postgres.CreateDatabaseAsync("schema_generated");
        await Migrator(migrated).MigrateAsync();
        await using (var db = new RotationDashboardDbContext(new DbContextOptionsBuilder<RotationDashboardDbContext>().UseRotationDashboardPostgreSql(generated).Options))
        {
            await db.Database.ExecuteSqlRawAsync(db.Database.GenerateCreateScript());
        }

        var expected = await PostgreSqlSchema.DescribeAsync(generated);
        var actual = await PostgreSqlSchema.DescribeAsync(migrated);

        Assert.Contains("table rotations", expected, StringComparison.Ordinal);
        Assert.Contains("WHERE ((status)::text = 'Running'::text)", expected, StringComparison.Ordinal);
        Assert.Equal(expected, actual);
        await postgres.Server.DropDatabaseAsync(migrated);
        await postgres.Server.DropDatabaseAsync(generated);
    }

    [Fact]
    public async Task The_comparison_notices_a_drifted_column_or_index()
    {
        var database = await postgres.CreateDatabaseAsync("schema_drift");
        await Migrator(database).MigrateAsync();
        var before = await PostgreSqlSchema.DescribeAsync(database);
        foreach (var drift in new[]
                 {
                     "ALTER TABLE secrets ADD COLUMN extra text NULL;",
                     "DROP INDEX ix_rotations_next_rotation_at; CREATE INDEX ix_rotations_next_rotation_at ON rotations (next_rotation_at DESC);",
                     "ALTER TABLE rotations ALTER COLUMN name TYPE character varying(65);",
                 })
        {
            await Execute(database, drift);
            var after = await PostgreSqlSchema.DescribeAsync(database);
            Assert.NotEqual(before, after);
            before = after;
        }

        await postgres.Server.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task Instances_starting_together_wait_on_the_advisory_lock_and_apply_each_script_once()
    {
        var database = await postgres.CreateDatabaseAsync("migrate_race");
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Migrator(database).MigrateAsync())));

        var expected = MigrationScript.LoadEmbedded(DatabaseProvider.PostgreSql).Select(s => s.Version).ToList();
        Assert.Single(runs, applied => applied.Count > 0);
        Assert.Equal(expected, runs.Single(applied => applied.Count > 0));
        Assert.Equal((long)expected.Count, await Scalar(database, "SELECT count(*) FROM schema_migrations;"));
        // Quartz's tables (0011) and the cluster state (0012) are there.
        Assert.Equal(1L, await Scalar(database, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'qrtz_triggers';"));
        Assert.Equal(1L, await Scalar(database, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'data_protection_keys';"));
        Assert.Empty(await Migrator(database).MigrateAsync());
        await postgres.Server.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task An_edited_postgresql_script_is_refused_and_a_failing_one_applies_nothing()
    {
        var database = await postgres.CreateDatabaseAsync("migrate_guard");
        var scripts = MigrationScript.LoadEmbedded(DatabaseProvider.PostgreSql);
        await Migrator(database, scripts).MigrateAsync();

        var edited = scripts.Select(s => s.Version == 12 ? s with { Sql = s.Sql + "\n-- edited" } : s).ToList();
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Migrator(database, edited).MigrateAsync());
        Assert.Contains("0012_cluster_state", refused.Message, StringComparison.Ordinal);

        var failing = scripts.Append(new MigrationScript(98, "good", "CREATE TABLE t98 (id int);"))
            .Append(new MigrationScript(99, "broken", "CREATE TABLE t99 (id nonsense_type);")).ToList();
        await Assert.ThrowsAsync<InvalidOperationException>(() => Migrator(database, failing).MigrateAsync());
        Assert.Equal(0L, await Scalar(database, "SELECT count(*) FROM information_schema.tables WHERE table_name = 't98';"));
        await postgres.Server.DropDatabaseAsync(database);
    }

    private static DatabaseMigrator Migrator(string connectionString, IReadOnlyList<MigrationScript>? scripts = null) =>
        new(new DatabaseLocation(Path.GetTempPath(), connectionString, DatabaseProvider.PostgreSql), 2_000, TimeProvider.System,
            NullLogger<DatabaseMigrator>.Instance, scripts ?? MigrationScript.LoadEmbedded(DatabaseProvider.PostgreSql));

    private static async Task<object?> Scalar(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static async Task Execute(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
