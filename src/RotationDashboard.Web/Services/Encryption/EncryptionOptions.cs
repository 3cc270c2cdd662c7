namespace RotationDashboard.Web.Services.Encryption;

/// <summary>Root key configuration. Section <c>Encryption</c>.</summary>
public sealed class EncryptionOptions
{
    public const string SectionName = "Encryption";
    public const string RootKeySetting = "Encryption:RootKey";
    public const string RootKeyEnvironmentVariable = "Encryption__RootKey";

    /// <summary>
    /// <c>Encryption:RootKey</c> (environment variable <c>Encryption__RootKey</c>): base64 of 32 random bytes,
    /// e.g. <c>openssl rand -base64 32</c>. Required outside Development.
    /// </summary>
    public string? RootKey { get; set; }

    /// <summary><c>Encryption:RootKeyId</c>: optional id recorded in every blob; default: derived from the key.</summary>
    public string? RootKeyId { get; set; }

    /// <summary>
    /// <c>Encryption:PreviousRootKeys</c>: keys that still decrypt older data after the root key was rotated.
    /// Each entry is base64, or <c>id:base64</c> when that key had an explicit <see cref="RootKeyId"/>.
    /// </summary>
    public List<string> PreviousRootKeys { get; set; } = [];

    public override string ToString() =>
        $"EncryptionOptions {{ RootKey = {(string.IsNullOrEmpty(RootKey) ? "(none)" : "[set]")}, RootKeyId = {RootKeyId}, PreviousRootKeys = {PreviousRootKeys.Count} }}";
}
