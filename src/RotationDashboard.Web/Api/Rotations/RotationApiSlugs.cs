using RotationDashboard.Core.Rotations;

namespace RotationDashboard.Web.Api.Rotations;

/// <summary>API spellings of <see cref="RotationStrategy"/> (kebab-case, like the type slugs).</summary>
public static class RotationApiSlugs
{
    public const string SinglePhase = "single-phase";
    public const string Staged = "staged";
    public const string PrivateKeyJwt = "private-key-jwt";

    public static string ToSlug(RotationStrategy strategy) => strategy switch
    {
        RotationStrategy.SinglePhase => SinglePhase,
        RotationStrategy.Staged => Staged,
        RotationStrategy.PrivateKeyJwt => PrivateKeyJwt,
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, null),
    };

    /// <summary>Accepts the slugs and the enum names in any case (<c>SinglePhase</c>, <c>singlePhase</c>).</summary>
    public static bool TryParseStrategy(string? text, out RotationStrategy strategy)
    {
        var normalized = text?.Trim().Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        foreach (var candidate in Enum.GetValues<RotationStrategy>())
        {
            if (string.Equals(normalized, candidate.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                strategy = candidate;
                return true;
            }
        }

        strategy = default;
        return false;
    }
}
