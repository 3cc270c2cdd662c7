using System.Text.RegularExpressions;
using RotationDashboard.Core.Common;

namespace RotationDashboard.Core.Projects;

/// <summary>
/// Secret paths as the seeds use them: <c>/</c> for the root, <c>/payments</c>, <c>/payments/eu</c>.
/// Normalisation adds a missing leading slash and drops a trailing one; segments are letters, digits,
/// <c>-</c> and <c>_</c>, so <c>..</c>, <c>.</c>, empty segments and whitespace are rejected.
/// </summary>
public static partial class FolderPath
{
    public const string Root = "/";
    public const int MaxLength = 256;
    public const int MaxSegmentLength = 64;

    [GeneratedRegex("^[A-Za-z0-9_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SegmentPattern();

    /// <summary>Normalises <paramref name="path"/>; on failure returns false and a message that says what is wrong.</summary>
    public static bool TryNormalize(string? path, out string normalized, out string? error)
    {
        normalized = Root;
        var value = path?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            error = "Path is required; use \"/\" for the root folder.";
            return false;
        }

        if (value.Contains('\\'))
        {
            error = "Path must use forward slashes (\"/payments\"), not backslashes.";
            return false;
        }

        if (!value.StartsWith('/'))
        {
            value = "/" + value;
        }

        if (value.Length > 1)
        {
            value = value.TrimEnd('/');
            if (value.Length == 0)
            {
                value = Root;
            }
        }

        if (value == Root)
        {
            normalized = Root;
            error = null;
            return true;
        }

        if (value.Length > MaxLength)
        {
            error = $"Path must be at most {MaxLength} characters.";
            return false;
        }

        foreach (var segment in value[1..].Split('/'))
        {
            if (segment.Length == 0)
            {
                error = "Path cannot contain empty segments (\"//\").";
                return false;
            }

            if (segment is "." or "..")
            {
                error = "Path cannot contain \".\" or \"..\" segments.";
                return false;
            }

            if (segment.Length > MaxSegmentLength)
            {
                error = $"Each path segment must be at most {MaxSegmentLength} characters.";
                return false;
            }

            if (!SegmentPattern().IsMatch(segment))
            {
                error = $"Path segment \"{segment}\" can only contain letters, numbers, hyphens and underscores.";
                return false;
            }
        }

        normalized = value;
        error = null;
        return true;
    }

    /// <exception cref="DomainValidationException">The path is invalid (field <c>path</c>).</exception>
    public static string Normalize(string? path, string field = "path") =>
        TryNormalize(path, out var normalized, out var error)
            ? normalized
            : throw new DomainValidationException(ValidationErrors.For(field, error!));

    /// <summary>The parent of a normalised path (<c>null</c> for the root).</summary>
    public static string? Parent(string normalizedPath)
    {
        if (normalizedPath == Root)
        {
            return null;
        }

        var lastSlash = normalizedPath.LastIndexOf('/');
        return lastSlash == 0 ? Root : normalizedPath[..lastSlash];
    }

    /// <summary>The path and all its ancestors, root first: <c>/a/b</c> → <c>/</c>, <c>/a</c>, <c>/a/b</c>.</summary>
    public static IReadOnlyList<string> SelfAndAncestors(string normalizedPath)
    {
        var paths = new List<string>();
        for (string? p = normalizedPath; p is not null; p = Parent(p))
        {
            paths.Add(p);
        }

        paths.Reverse();
        return paths;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="ancestor"/> or lies below it.</summary>
    public static bool IsSameOrBelow(string path, string ancestor) =>
        ancestor == Root
        || string.Equals(path, ancestor, StringComparison.Ordinal)
        || path.StartsWith(ancestor + "/", StringComparison.Ordinal);
}
