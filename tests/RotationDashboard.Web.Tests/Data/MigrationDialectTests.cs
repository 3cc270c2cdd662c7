using RotationDashboard.Testing;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Tests.Data;

/// <summary>
/// The two-provider migration scheme: each SQLite script <c>Migrations/NNNN_name.sql</c> has a PostgreSQL twin
/// <c>Migrations/PostgreSql/NNNN_name.sql</c>, or says on its first line that it runs on both.
/// </summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public class MigrationDialectTests
{
    [Fact]
    public void Every_migration_exists_for_both_providers_with_the_same_numbers_and_names()
    {
        var sqlite = MigrationScript.LoadEmbedded(DatabaseProvider.Sqlite);
        var postgreSql = MigrationScript.LoadEmbedded(DatabaseProvider.PostgreSql);

        Assert.Equal(sqlite.Select(s => (s.Version, s.Name)), postgreSql.Select(s => (s.Version, s.Name)));
        Assert.Contains(postgreSql, s => s.Version == 11 && s.Sql.Contains("CREATE TABLE IF NOT EXISTS qrtz_triggers", StringComparison.Ordinal));
        Assert.DoesNotContain(sqlite, s => s.Sql.Contains("qrtz_", StringComparison.Ordinal));
    }

    [Fact]
    public void A_sqlite_script_without_a_twin_is_refused_naming_the_file_to_write()
    {
        var sqlite = new[] { new MigrationScript(1, "initial", "CREATE TABLE a (id INTEGER);"), new MigrationScript(13, "bulk_operations", "CREATE TABLE b (id INTEGER);") };
        var twins = new[] { new MigrationScript(1, "initial", "CREATE TABLE a (id integer);") };

        var refused = Assert.Throws<InvalidOperationException>(() => MigrationScript.ForPostgreSql(sqlite, twins));

        Assert.Contains("0013_bulk_operations.sql has no PostgreSQL twin: add Data/Migrations/PostgreSql/0013_bulk_operations.sql", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_script_marked_for_any_dialect_serves_postgresql_as_it_is_and_a_twin_must_keep_the_name()
    {
        var neutral = new MigrationScript(14, "user_preferences", MigrationScript.AnyDialectMarker + "\nALTER TABLE a ADD COLUMN theme TEXT NULL;");
        var sqlite = new[] { new MigrationScript(1, "initial", "CREATE TABLE a (id INTEGER);"), neutral };

        var scripts = MigrationScript.ForPostgreSql(sqlite, [new MigrationScript(1, "initial", "CREATE TABLE a (id integer);")]);
        Assert.Same(neutral, scripts[1]);

        var renamed = Assert.Throws<InvalidOperationException>(() => MigrationScript.ForPostgreSql(sqlite, [new MigrationScript(1, "first", "")]));
        Assert.Contains("must have the same name", renamed.Message, StringComparison.Ordinal);
        var orphan = Assert.Throws<InvalidOperationException>(() => MigrationScript.ForPostgreSql([neutral], [new MigrationScript(2, "extra", "")]));
        Assert.Contains("0002_extra.sql has no SQLite script", orphan.Message, StringComparison.Ordinal);
    }
}
