using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace RotationDashboard.Web.Data;

/// <summary>One versioned schema script, <c>Data/Migrations/NNNN_name.sql</c>, embedded in the assembly.</summary>
public sealed partial record MigrationScript(int Version, string Name, string Sql)
{
    /// <summary>SHA-256 of the script with normalised line endings (a checkout with CRLF gives the same value).</summary>
    public string Checksum => ComputeChecksum(Sql);

    /// <summary>The scripts embedded in <paramref name="assembly"/> (default: this one), ordered by version.</summary>
    public static IReadOnlyList<MigrationScript> LoadEmbedded(Assembly? assembly = null)
    {
        assembly ??= typeof(MigrationScript).Assembly;
        var scripts = new List<MigrationScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ResourceName().Match(resource);
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
}
