using System.Text;

namespace RotationDashboard.Web.Application.Rotations.Bulk;

/// <summary>
/// Name patterns of bulk onboarding: <c>{app}</c> is the application's name as a slug (<c>payments-worker</c>),
/// <c>{APP}</c> the same as an environment-variable name (<c>PAYMENTS_WORKER</c>), <c>{clientId}</c> its client id.
/// </summary>
public static class OnboardingPatterns
{
    public const string DefaultName = "{app}-rotation";
    public const string DefaultClientId = "{APP}_CLIENT_ID";
    public const string DefaultClientSecret = "{APP}_CLIENT_SECRET";
    public const string DefaultPrivateKey = "{APP}_PRIVATE_KEY";
    public const string DefaultKeyId = "{APP}_KEY_ID";

    public static string Apply(string pattern, string applicationName, string clientId) =>
        pattern.Replace("{app}", Lower(applicationName), StringComparison.Ordinal)
            .Replace("{APP}", Upper(applicationName), StringComparison.Ordinal)
            .Replace("{clientId}", clientId, StringComparison.Ordinal)
            .Trim();

    /// <summary>True when the pattern names something per application (else every rotation would get the same name).</summary>
    public static bool IsPerApplication(string? pattern) =>
        pattern is not null && (pattern.Contains("{app}", StringComparison.Ordinal) || pattern.Contains("{APP}", StringComparison.Ordinal)
                                || pattern.Contains("{clientId}", StringComparison.Ordinal));

    private static string Lower(string name) => Squash(name, '-', upper: false);

    private static string Upper(string name) => Squash(name, '_', upper: true);

    private static string Squash(string name, char separator, bool upper)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.Trim())
        {
            if (char.IsAsciiLetterOrDigit(c))
                builder.Append(upper ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            else if (builder.Length > 0 && builder[^1] != separator)
                builder.Append(separator);
        }

        return builder.ToString().TrimEnd(separator);
    }
}
