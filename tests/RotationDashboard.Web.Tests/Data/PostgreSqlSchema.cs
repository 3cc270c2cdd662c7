using System.Text;
using Npgsql;

namespace RotationDashboard.Web.Tests.Data;

/// <summary>
/// A canonical text description of a PostgreSQL schema (public): tables, columns (type, nullability, default,
/// identity), constraints (primary keys, foreign keys, unique, check) and indexes, read from the catalogs. Tables that
/// live outside the EF model (the migration history, Quartz's job store, the cluster state of migration 0012) are left
/// out, as the SQLite description leaves out its own bookkeeping.
/// </summary>
internal static class PostgreSqlSchema
{
    private static readonly string[] IgnoredTables = ["schema_migrations", "data_protection_keys", "cluster_events"];

    public static async Task<string> DescribeAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var builder = new StringBuilder();
        var tables = (await QueryAsync(connection,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
                r => r.GetString(0)))
            .Where(t => !IgnoredTables.Contains(t) && !t.StartsWith("qrtz_", StringComparison.Ordinal))
            .ToList();
        foreach (var table in tables)
        {
            builder.AppendLine($"table {table}");
            foreach (var column in await QueryAsync(connection, $"""
                         SELECT column_name, format_type(a.atttypid, a.atttypmod), is_nullable, column_default, is_identity, identity_generation
                         FROM information_schema.columns c
                         JOIN pg_attribute a ON a.attrelid = 'public."{table}"'::regclass AND a.attname = c.column_name
                         WHERE c.table_schema = 'public' AND c.table_name = '{table}' ORDER BY column_name
                         """,
                         r => $"  column {r.GetString(0)} {r.GetString(1)} {(r.GetString(2) == "YES" ? "null" : "not null")}" +
                              $"{(r.IsDBNull(3) ? "" : " default " + r.GetString(3))}" +
                              $"{(r.GetString(4) == "YES" ? " identity " + r.GetString(5) : "")}"))
            {
                builder.AppendLine(column);
            }

            foreach (var constraint in await QueryAsync(connection, $"""
                         SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                         WHERE conrelid = 'public."{table}"'::regclass ORDER BY conname
                         """, r => $"  constraint {r.GetString(0)} {r.GetString(1)}"))
            {
                builder.AppendLine(constraint);
            }

            foreach (var index in await QueryAsync(connection, $"""
                         SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = '{table}' ORDER BY indexname
                         """, r => $"  index {r.GetString(1)}"))
            {
                builder.AppendLine(index);
            }
        }

        return builder.ToString();
    }

    private static async Task<List<T>> QueryAsync<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> map)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
