using System.Security.Cryptography;

namespace RotationDashboard.Sandbox.Internal;

internal static class Randomness
{
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string SecretAlphabet = Alphanumeric + "-_";

    /// <summary>64 characters like Auth0's generated secrets (not base64-encoded).</summary>
    public static string ClientSecret() => RandomNumberGenerator.GetString(SecretAlphabet, 64);

    public static string ClientId() => RandomNumberGenerator.GetString(Alphanumeric, 32);

    public static string CredentialId() => "cred_" + RandomNumberGenerator.GetString(Alphanumeric, 22);

    public static string Token(int length = 43) => RandomNumberGenerator.GetString(SecretAlphabet, length);
}
