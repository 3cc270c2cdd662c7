using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace RotationDashboard.Web.Data;

/// <summary>
/// One versioned schema script, embedded in the assembly. Every version exists once per provider:
/// <c>Data/Migrations/NNNN_name.sql</c> is the SQLite script (the original dialect), and
/// <c>Data/Migrations/PostgreSql/NNNN_name.sql</c> its PostgreSQL twin, with the same number and name. A SQLite script
/// whose first line is <see cref="AnyDialectMarker"/> (plain SQL both databases read the same way) serves PostgreSQL too
/// and needs no twin. PostgreSQL start-up (and a unit test) refuses a SQLite script that has neither.
/// </summary>
public sealed partial record MigrationScript(int Version, string Name, string Sql)
{
    /// <summary>First line of a SQLite script that PostgreSQL runs unchanged (no twin needed).</summary>
    public const string AnyDialectMarker = "-- dialect: any";

    /// <summary>SHA-256 of the script with normalised line endings (a checkout with CRLF gives the same value).</summary>
    public string Checksum => ComputeChecksum(Sql);

    /// <summary>The SQLite scripts embedded in <paramref name="assembly"/> (default: this one), ordered by version.</summary>
    public static IReadOnlyList<MigrationScript> LoadEmbedded(Assembly? assembly = null) =>
        LoadEmbedded(DatabaseProvider.Sqlite, assembly);

    /// <summary>
    /// The scripts of <paramref name="provider"/>, ordered by version. For PostgreSQL: each SQLite version's twin, or the
    /// SQLite script itself when it is marked <see cref="AnyDialectMarker"/>; a version with neither, a twin without a
    /// SQLite script or a twin under another name fails here, naming the files to write.
    /// </summary>
    public static IReadOnlyList<MigrationScript> LoadEmbedded(DatabaseProvider provider, Assembly? assembly = null)
    {
        var sqlite = LoadDialect(assembly, postgreSql: false);
        if (provider == DatabaseProvider.Sqlite)
        {
            return sqlite;
        }

        return ForPostgreSql(sqlite, LoadDialect(assembly, postgreSql: true));
    }

    /// <summary>Pairs the SQLite scripts with their PostgreSQL twins (see <see cref="LoadEmbedded(DatabaseProvider, Assembly?)"/>).</summary>
    public static IReadOnlyList<MigrationScript> ForPostgreSql(IReadOnlyList<MigrationScript> sqlite, IReadOnlyList<MigrationScript> postgreSqlTwins)
    {
        var twins = postgreSqlTwins.ToDictionary(s => s.Version);
        var problems = new List<string>();
        var scripts = new List<MigrationScript>();
        foreach (var script in sqlite.OrderBy(s => s.Version))
        {
            if (twins.Remove(script.Version, out var twin))
            {
                if (twin.Name != script.Name)
                {
                    problems.Add($"PostgreSql/{twin}.sql is the twin of {script}.sql and must have the same name");
                }

                scripts.Add(twin);
            }
            else if (script.IsAnyDialect)
            {
                scripts.Add(script);
            }
            else
            {
                problems.Add($"{script}.sql has no PostgreSQL twin: add Data/Migrations/PostgreSql/{script}.sql " +
                             $"(or start the script with '{AnyDialectMarker}' if PostgreSQL can run it unchanged)");
            }
        }

        problems.AddRange(twins.Values.Select(t => $"PostgreSql/{t}.sql has no SQLite script of the same number"));
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The PostgreSQL migrations are incomplete: " + string.Join("; ", problems) + ".");
        }

        return scripts;
    }

    /// <summary>A SQLite script that PostgreSQL runs as it is.</summary>
    public bool IsAnyDialect => Sql.TrimStart().StartsWith(AnyDialectMarker, StringComparison.Ordinal);

    private static List<MigrationScript> LoadDialect(Assembly? assembly, bool postgreSql)
    {
        assembly ??= typeof(MigrationScript).Assembly;
        var scripts = new List<MigrationScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = (postgreSql ? PostgreSqlResourceName() : ResourceName()).Match(resource);
            if (!match.Success)
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Embedded migration '{resource}' cannot be read.");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            scripts.Add(new MigrationScript(int.Parse(match.Groups["version"].Value), match.Groups["name"].Value, reader.ReadToEnd()));
        }

        var duplicate = scripts.GroupBy(s => s.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException(
                $"Two migrations share version {duplicate.Key}: {string.Join(", ", duplicate.Select(s => s.Name))}.");
        }

        return scripts.OrderBy(s => s.Version).ToList();
    }

    public override string ToString() => $"{Version:0000}_{Name}";

    private static string ComputeChecksum(string sql) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));

    [GeneratedRegex(@"\.Data\.Migrations\.(?<version>\d{4})_(?<name>[A-Za-z0-9_]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex ResourceName();

    [GeneratedRegex(@"\.Data\.Migrations\.PostgreSql\.(?<version>\d{4})_(?<name>[A-Za-z0-9_]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex PostgreSqlResourceName();
}
