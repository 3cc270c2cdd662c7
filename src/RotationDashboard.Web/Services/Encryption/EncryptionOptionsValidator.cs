using Microsoft.Extensions.Options;
using RotationDashboard.Core.Encryption;

namespace RotationDashboard.Web.Services.Encryption;

/// <summary>
/// Checks the root key settings at start-up. Outside Development a key is mandatory; in Development a missing
/// key is allowed (a local key file is created). Messages name the setting, never the key.
/// </summary>
public sealed class EncryptionOptionsValidator(IHostEnvironment environment) : IValidateOptions<EncryptionOptions>
{
    public static string MissingKeyMessage(string environmentName) =>
        $"No root encryption key is configured (environment '{environmentName}'). Set {EncryptionOptions.RootKeySetting} " +
        $"(environment variable {EncryptionOptions.RootKeyEnvironmentVariable}) to a base64-encoded 32-byte key, " +
        "e.g. the output of `openssl rand -base64 32`. Keep it outside the data directory and back it up: " +
        "without it the stored secrets cannot be decrypted.";

    public ValidateOptionsResult Validate(string? name, EncryptionOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.RootKey))
        {
            if (!environment.IsDevelopment())
            {
                failures.Add(MissingKeyMessage(environment.EnvironmentName));
            }

            if (!string.IsNullOrWhiteSpace(options.RootKeyId))
            {
                failures.Add("Encryption:RootKeyId is set but Encryption:RootKey is not.");
            }
        }
        else if (!RootKey.TryParseBase64(options.RootKey, options.RootKeyId, out _, out var error))
        {
            failures.Add($"{EncryptionOptions.RootKeySetting} (environment variable {EncryptionOptions.RootKeyEnvironmentVariable}) is invalid: {error}");
        }

        for (var i = 0; i < options.PreviousRootKeys.Count; i++)
        {
            if (!RootKeyRingLoader.TryParseKeyEntry(options.PreviousRootKeys[i], out _, out var error))
            {
                failures.Add($"Encryption:PreviousRootKeys:{i} is invalid: {error}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
