using RotationDashboard.Testing;
using Microsoft.EntityFrameworkCore;

namespace RotationDashboard.Web.Tests.Data;

/// <summary>
/// The SQL scripts are hand-written (no <c>dotnet ef</c> here), so this test keeps them honest: the schema they
/// build must be exactly what EF Core's model would create.
/// </summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public class MigratedSchemaMatchesModelTests
{
    [Fact]
    public async Task Migrated_schema_equals_the_schema_generated_from_the_ef_model()
    {
        await using var migrated = await TestDatabase.CreateAsync(seed: false);
        await using var generated = TestDatabase.CreateEmpty();
        await using (var db = generated.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync(db.Database.GenerateCreateScript());
        }

        using var migratedConnection = migrated.OpenConnection();
        using var generatedConnection = generated.OpenConnection();
        var expected = SqliteSchema.Describe(generatedConnection);
        var actual = SqliteSchema.Describe(migratedConnection);

        Assert.Contains("table rotations", expected, StringComparison.Ordinal);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task The_comparison_notices_a_drifted_column_index_or_foreign_key()
    {
        await using var database = await TestDatabase.CreateAsync(seed: false);
        using var connection = database.OpenConnection();
        var before = SqliteSchema.Describe(connection);

        foreach (var drift in new[]
                 {
                     "ALTER TABLE \"secrets\" ADD COLUMN \"extra\" TEXT NULL;",
                     "DROP INDEX \"ix_rotations_next_rotation_at\"; CREATE INDEX \"ix_rotations_next_rotation_at\" ON \"rotations\" (\"next_rotation_at\" DESC);",
                     "CREATE TABLE \"with_fk\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"secret_id\" TEXT NOT NULL REFERENCES \"secrets\" (\"id\") ON DELETE CASCADE);",
                 })
        {
            using var command = connection.CreateCommand();
            command.CommandText = drift;
            command.ExecuteNonQuery();
            var after = SqliteSchema.Describe(connection);
            Assert.NotEqual(before, after);
            before = after;
        }
    }

    [Theory]
    [InlineData("INTEGER", "INTEGER")]
    [InlineData("BIGINT", "INTEGER")]
    [InlineData("VARCHAR(64)", "TEXT")]
    [InlineData("TEXT", "TEXT")]
    [InlineData("BLOB", "BLOB")]
    [InlineData("", "BLOB")]
    [InlineData("DOUBLE", "REAL")]
    [InlineData("DECIMAL(10,5)", "NUMERIC")]
    public void Type_affinity_follows_sqlite_rules(string declared, string affinity) =>
        Assert.Equal(affinity, SqliteSchema.Affinity(declared));
}
