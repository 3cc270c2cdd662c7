using System.Text.RegularExpressions;

namespace RotationDashboard.Core.Common;

/// <summary>
/// Infisical's slug rule: trimmed, lowercase letters and digits separated by single hyphens.
/// Messages follow Infisical's wording so API clients see the same texts.
/// </summary>
public static partial class Slug
{
    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();

    public static bool IsValid(string? value, int maxLength = 64) =>
        value is not null && value.Length <= maxLength && SlugPattern().IsMatch(value);

    /// <summary>Validates <paramref name="value"/> (after trimming) and records messages under <paramref name="field"/>.</summary>
    public static void Validate(
        string? value,
        string field,
        string displayName,
        ValidationErrors errors,
        int minLength = 1,
        int maxLength = 64)
    {
        var trimmed = value?.Trim() ?? string.Empty;
        if (trimmed.Length < minLength)
        {
            errors.Add(field, $"{displayName} field must be at least {minLength} lowercase character{(minLength == 1 ? "" : "s")}");
            return;
        }

        if (trimmed.Length > maxLength)
        {
            errors.Add(field, $"{displayName} field must be at most {maxLength} lowercase character{(maxLength == 1 ? "" : "s")}");
            return;
        }

        if (!SlugPattern().IsMatch(trimmed))
        {
            errors.Add(field, $"{displayName} field can only contain lowercase letters, numbers, and hyphens");
        }
    }
}
