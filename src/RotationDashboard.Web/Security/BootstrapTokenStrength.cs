using Microsoft.Extensions.Options;

namespace RotationDashboard.Web.Security;

/// <summary>
/// The bootstrap token has every API permission, so a guessable one is refused at start-up: it must be at least
/// <see cref="MinimumLength"/> characters, mix letters and digits, and carry an estimated
/// <see cref="MinimumEstimatedBits"/> bits (character frequencies, and the steps between neighbours so that runs
/// such as <c>abcd1234</c> count for little). <c>openssl rand -base64 32</c> passes with a wide margin.
/// </summary>
public static class BootstrapTokenStrength
{
    public const int MinimumLength = 32;
    public const double MinimumEstimatedBits = 128;
    public const string HowToGenerate = "Generate one with `openssl rand -base64 32`.";

    /// <summary>Null when the token is strong enough; otherwise why not (never the token itself).</summary>
    public static string? FindWeakness(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length < MinimumLength)
        {
            return $"it has {token.Length} characters, at least {MinimumLength} are required";
        }

        var classes = (token.Any(char.IsLower) ? 1 : 0) + (token.Any(char.IsUpper) ? 1 : 0) + (token.Any(char.IsDigit) ? 1 : 0);
        if (classes < 2)
        {
            return "it must mix letters and digits (or lower- and upper-case letters)";
        }

        var steps = new int[token.Length - 1];
        for (var i = 1; i < token.Length; i++) steps[i - 1] = token[i] - token[i - 1];
        var bits = Math.Min(EstimatedBits(token.ToCharArray()), EstimatedBits(steps) * token.Length / steps.Length);
        return bits < MinimumEstimatedBits
            ? "it is too predictable (repeated or sequential characters)"
            : null;
    }

    /// <summary>
    /// Shannon entropy of the symbols' frequencies, times their count, with the Miller–Madow correction: frequencies
    /// counted over a few dozen characters underestimate the entropy of a random source (a 32-character random token
    /// cannot show more than 5 bits per character), which without it refused about one `openssl rand -base64 24` in 6,000.
    /// </summary>
    private static double EstimatedBits<T>(IReadOnlyCollection<T> symbols) where T : notnull
    {
        var counts = symbols.CountBy(s => s).ToList();
        var entropyPerSymbol = counts
            .Select(group => (double)group.Value / symbols.Count)
            .Sum(p => -p * Math.Log2(p));
        var smallSampleCorrection = (counts.Count - 1) / (2.0 * symbols.Count * Math.Log(2));
        return (entropyPerSymbol + smallSampleCorrection) * symbols.Count;
    }
}

internal sealed class ApiTokenAuthenticationOptionsValidator : IValidateOptions<ApiTokenAuthenticationOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiTokenAuthenticationOptions options)
    {
        if (name != ApiTokenAuthenticationHandler.SchemeName || options.BootstrapToken is not { Length: > 0 } token)
        {
            return ValidateOptionsResult.Success;
        }

        return BootstrapTokenStrength.FindWeakness(token) is { } weakness
            ? ValidateOptionsResult.Fail($"Security:BootstrapToken is too weak: {weakness}. {BootstrapTokenStrength.HowToGenerate} " +
                                         "Or leave it unset and create scoped API tokens in Settings.")
            : ValidateOptionsResult.Success;
    }
}
