using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RotationDashboard.Core.Security;

/// <summary>
/// Removes secrets from text before it is stored or shown (run messages, error messages, validation results):
/// known secret values (also in their JSON- and URL-encoded forms), PEM private keys, JWTs, bearer tokens and
/// credential-looking fields (<c>client_secret=…</c>, <c>"clientSecret": "…"</c>) become <c>[redacted]</c>.
/// </summary>
public sealed partial class SecretScrubber
{
    public const string Redacted = "[redacted]";

    private static readonly JavaScriptEncoder[] JsonEncoders = [JavaScriptEncoder.Default, JavaScriptEncoder.UnsafeRelaxedJsonEscaping];

    private readonly string[] _needles;

    public SecretScrubber(IEnumerable<string?>? knownSecrets = null)
    {
        _needles = (knownSecrets ?? [])
            .Where(s => !string.IsNullOrWhiteSpace(s))
            .SelectMany(s => EncodedForms(s!))
            .Where(s => s.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length)
            .ToArray();
    }

    /// <summary>Scrubs patterns only (no known values).</summary>
    public static SecretScrubber Patterns { get; } = new();

    /// <summary>A scrubber that also knows <paramref name="moreSecrets"/>.</summary>
    public SecretScrubber With(IEnumerable<string?> moreSecrets) => new(_needles.Concat(moreSecrets));

    [return: NotNullIfNotNull(nameof(text))]
    public string? Scrub(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        var result = text;
        foreach (var needle in _needles)
        {
            result = result.Replace(needle, Redacted, StringComparison.Ordinal);
        }

        result = PemPrivateKey().Replace(result, Redacted);
        result = Jwt().Replace(result, Redacted);
        result = BearerToken().Replace(result, m => m.Groups["prefix"].Value + Redacted);
        result = CredentialField().Replace(result, m =>
            m.Groups["value"].Value == Redacted ? m.Value : m.Groups["prefix"].Value + Redacted);
        return result;
    }

    /// <summary>Scrubs <paramref name="text"/> and truncates it to <paramref name="maxLength"/> characters.</summary>
    [return: NotNullIfNotNull(nameof(text))]
    public string? ScrubAndTruncate(string? text, int maxLength)
    {
        var scrubbed = Scrub(text);
        return scrubbed is null || scrubbed.Length <= maxLength ? scrubbed : scrubbed[..(maxLength - 1)] + "…";
    }

    private static IEnumerable<string> EncodedForms(string secret)
    {
        yield return secret;
        foreach (var encoder in JsonEncoders)
        {
            yield return JsonEncodedText.Encode(secret, encoder).Value;
        }

        yield return Uri.EscapeDataString(secret);
        yield return WebUtility.UrlEncode(secret);
    }

    [GeneratedRegex(@"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----|[\s\S]*)", RegexOptions.CultureInvariant)]
    private static partial Regex PemPrivateKey();

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?", RegexOptions.CultureInvariant)]
    private static partial Regex Jwt();

    [GeneratedRegex(@"(?<prefix>\bBearer\s+)[A-Za-z0-9._~+/=-]{8,}", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex BearerToken();

    [GeneratedRegex(
        """(?<prefix>["']?\b(?:client_secret|clientSecret|client_assertion|access_token|accessToken|refresh_token|id_token|private_key|privateKey|password)\b["']?\s*[:=]\s*["']?)(?<value>[^"'&\s,;}]+)""",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex CredentialField();
}
