using System.Text;
using Microsoft.Data.Sqlite;

namespace RotationDashboard.Web.Tests.Data;

/// <summary>
/// A canonical text description of a SQLite schema read through <c>pragma</c>s: tables, columns (name, type
/// affinity, nullability, default, primary-key position), AUTOINCREMENT, indexes (name, unique, columns with
/// sort order, partial) and foreign keys (columns, target, actions). Two schemas match when their descriptions
/// are equal; a failing comparison shows the differing lines.
/// </summary>
internal static class SqliteSchema
{
    private static readonly string[] IgnoredTables = ["schema_migrations", "sqlite_sequence"];

    public static string Describe(SqliteConnection connection)
    {
        var builder = new StringBuilder();
        var tables = Query(connection,
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                r => (Name: r.GetString(0), Sql: r.GetString(1)))
            .Where(t => !IgnoredTables.Contains(t.Name))
            .ToList();

        foreach (var (table, sql) in tables)
        {
            builder.AppendLine($"table {table}{(sql.Contains("AUTOINCREMENT", StringComparison.OrdinalIgnoreCase) ? " autoincrement" : "")}");
            foreach (var column in Query(connection, $"PRAGMA table_info(\"{table}\")", r => new
                     {
                         Name = r.GetString(1),
                         Affinity = Affinity(r.GetString(2)),
                         NotNull = r.GetInt64(3) == 1,
                         Default = r.IsDBNull(4) ? null : r.GetString(4),
                         PrimaryKey = r.GetInt64(5),
                     }).OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                builder.AppendLine($"  column {column.Name} {column.Affinity} {(column.NotNull ? "not null" : "null")}" +
                                   $"{(column.Default is null ? "" : " default " + column.Default)}" +
                                   $"{(column.PrimaryKey > 0 ? " pk" + column.PrimaryKey : "")}");
            }

            foreach (var index in Query(connection, $"PRAGMA index_list(\"{table}\")", r => new
                     {
                         Name = r.GetString(1),
                         Unique = r.GetInt64(2) == 1,
                         Origin = r.GetString(3),
                         Partial = r.GetInt64(4) == 1,
                     }).OrderBy(i => i.Origin == "pk" ? "" : i.Name, StringComparer.Ordinal))
            {
                var columns = Query(connection, $"PRAGMA index_xinfo(\"{index.Name}\")", r => new
                    {
                        Seq = r.GetInt64(0),
                        Name = r.IsDBNull(2) ? null : r.GetString(2),
                        Descending = r.GetInt64(3) == 1,
                        Key = r.GetInt64(5) == 1,
                    })
                    .Where(c => c.Key)
                    .OrderBy(c => c.Seq)
                    .Select(c => c.Name + (c.Descending ? " desc" : ""));
                // Primary-key autoindexes have generated names; describe them by their columns only.
                var name = index.Origin == "pk" ? "(primary key)" : index.Name;
                builder.AppendLine($"  index {name} {(index.Unique ? "unique" : "non-unique")} ({string.Join(", ", columns)}){(index.Partial ? " partial" : "")}");
            }

            foreach (var foreignKey in Query(connection, $"PRAGMA foreign_key_list(\"{table}\")", r => new
                     {
                         Id = r.GetInt64(0),
                         Seq = r.GetInt64(1),
                         Table = r.GetString(2),
                         From = r.GetString(3),
                         To = r.IsDBNull(4) ? null : r.GetString(4),
                         OnUpdate = r.GetString(5),
                         OnDelete = r.GetString(6),
                     })
                     .GroupBy(f => f.Id)
                     .Select(g => $"  foreign key ({string.Join(", ", g.OrderBy(f => f.Seq).Select(f => f.From))}) -> " +
                                  $"{g.First().Table} ({string.Join(", ", g.OrderBy(f => f.Seq).Select(f => f.To))}) " +
                                  $"on update {g.First().OnUpdate} on delete {g.First().OnDelete}")
                     .Order(StringComparer.Ordinal))
            {
                builder.AppendLine(foreignKey);
            }
        }

        return builder.ToString();
    }

    /// <summary>SQLite's type affinity rules (https://www.sqlite.org/datatype3.html, 3.1).</summary>
    public static string Affinity(string declaredType)
    {
        var type = declaredType.ToUpperInvariant();
        if (type.Contains("INT", StringComparison.Ordinal))
        {
            return "INTEGER";
        }

        if (type.Contains("CHAR", StringComparison.Ordinal) || type.Contains("CLOB", StringComparison.Ordinal) || type.Contains("TEXT", StringComparison.Ordinal))
        {
            return "TEXT";
        }

        if (type.Length == 0 || type.Contains("BLOB", StringComparison.Ordinal))
        {
            return "BLOB";
        }

        if (type.Contains("REAL", StringComparison.Ordinal) || type.Contains("FLOA", StringComparison.Ordinal) || type.Contains("DOUB", StringComparison.Ordinal))
        {
            return "REAL";
        }

        return "NUMERIC";
    }

    private static List<T> Query<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> map)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
