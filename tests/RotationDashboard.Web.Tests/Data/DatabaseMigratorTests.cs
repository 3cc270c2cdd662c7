using RotationDashboard.Testing;
namespace RotationDashboard.Web.Tests.Data;

using RotationDashboard.Web.Data;

[Trait(TestKind.Trait, TestKind.Unit)]
public class DatabaseMigratorTests
{
    [Fact]
    public void Embedded_scripts_are_found_in_order()
    {
        var scripts = MigrationScript.LoadEmbedded();

        Assert.NotEmpty(scripts);
        Assert.Equal(1, scripts[0].Version);
        Assert.Equal("initial", scripts[0].Name);
        Assert.Equal(scripts.OrderBy(s => s.Version).Select(s => s.Version), scripts.Select(s => s.Version));
        Assert.Equal(64, scripts[0].Checksum.Length);
    }

    [Fact]
    public async Task Applies_to_an_empty_database_and_records_each_version()
    {
        await using var database = TestDatabase.CreateEmpty();

        var applied = await database.CreateMigrator().MigrateAsync();

        Assert.Equal(MigrationScript.LoadEmbedded().Select(s => s.Version), applied);
        using var connection = database.OpenConnection();
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode;"));
        Assert.Equal(1L, Scalar(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'rotations';"));
        Assert.Equal((long)applied.Count, Scalar(connection, "SELECT count(*) FROM schema_migrations;"));
        Assert.Equal("initial", Scalar(connection, "SELECT name FROM schema_migrations WHERE version = 1;"));
        Assert.StartsWith("2025-01-10T14:00:00", (string)Scalar(connection, "SELECT applied_at FROM schema_migrations WHERE version = 1;")!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_database_file_and_its_wal_are_readable_by_the_owner_only()
    {
        if (OperatingSystem.IsWindows()) return;
        await using var database = TestDatabase.CreateEmpty();

        await database.CreateMigrator().MigrateAsync();
        using var connection = database.OpenConnection();
        Scalar(connection, "SELECT count(*) FROM schema_migrations;");

        const UnixFileMode ownerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(ownerReadWrite, File.GetUnixFileMode(database.DatabaseFile));
        Assert.Equal(ownerReadWrite, File.GetUnixFileMode(database.DatabaseFile + "-wal"));
    }

    [Fact]
    public async Task Second_run_is_a_no_op()
    {
        await using var database = TestDatabase.CreateEmpty();
        await database.CreateMigrator().MigrateAsync();
        database.Clock.Advance(TimeSpan.FromDays(1));

        var applied = await database.CreateMigrator().MigrateAsync();

        Assert.Empty(applied);
        using var connection = database.OpenConnection();
        Assert.Equal((long)MigrationScript.LoadEmbedded().Count, Scalar(connection, "SELECT count(*) FROM schema_migrations;"));
        Assert.StartsWith("2025-01-10", (string)Scalar(connection, "SELECT applied_at FROM schema_migrations WHERE version = 1;")!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_scripts_are_applied_on_a_later_start()
    {
        await using var database = TestDatabase.CreateEmpty();
        await database.CreateMigrator().MigrateAsync();
        var later = MigrationScript.LoadEmbedded().Append(new MigrationScript(9001, "add_notes", "CREATE TABLE \"notes\" (\"id\" INTEGER PRIMARY KEY);")).ToList();

        var applied = await database.CreateMigrator(later).MigrateAsync();

        Assert.Equal([9001], applied);
        using var connection = database.OpenConnection();
        Assert.Equal(1L, Scalar(connection, "SELECT count(*) FROM sqlite_master WHERE name = 'notes';"));
    }

    [Fact]
    public async Task A_failing_script_rolls_back_everything_applied_in_that_start()
    {
        await using var database = TestDatabase.CreateEmpty();
        var scripts = MigrationScript.LoadEmbedded().Append(new MigrationScript(9002, "broken", "CREATE TABLE oops (;")).ToList();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => database.CreateMigrator(scripts).MigrateAsync());

        Assert.Contains("9002_broken", ex.Message, StringComparison.Ordinal);
        using var connection = database.OpenConnection();
        Assert.Equal(0L, Scalar(connection, "SELECT count(*) FROM schema_migrations;"));
        Assert.Equal(0L, Scalar(connection, "SELECT count(*) FROM sqlite_master WHERE name = 'rotations';"));
    }

    [Fact]
    public async Task Refuses_an_applied_script_that_was_edited()
    {
        await using var database = TestDatabase.CreateEmpty();
        await database.CreateMigrator().MigrateAsync();
        var edited = MigrationScript.LoadEmbedded().Select(s => s.Version == 1 ? s with { Sql = s.Sql + "\n-- edited" } : s).ToList();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => database.CreateMigrator(edited).MigrateAsync());

        Assert.Contains("was changed after it was applied", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Line_endings_do_not_change_the_checksum()
    {
        await using var database = TestDatabase.CreateEmpty();
        await database.CreateMigrator().MigrateAsync();
        var crlf = MigrationScript.LoadEmbedded().Select(s => s with { Sql = s.Sql.ReplaceLineEndings("\r\n") }).ToList();

        Assert.Empty(await database.CreateMigrator(crlf).MigrateAsync());
    }

    [Fact]
    public async Task Refuses_a_database_from_a_newer_build()
    {
        await using var database = TestDatabase.CreateEmpty();
        var newer = MigrationScript.LoadEmbedded().Append(new MigrationScript(9003, "future", "SELECT 1;")).ToList();
        await database.CreateMigrator(newer).MigrateAsync();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => database.CreateMigrator().MigrateAsync());

        Assert.Contains("newer version", ex.Message, StringComparison.Ordinal);
    }

    private static object? Scalar(Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
