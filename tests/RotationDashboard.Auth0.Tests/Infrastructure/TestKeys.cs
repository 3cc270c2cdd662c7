namespace RotationDashboard.Auth0.Tests.Infrastructure;

/// <summary>Key pairs generated once per test run: RSA generation is slow, and most tests only need some key.</summary>
public static class TestKeys
{
    private static readonly Lazy<RsaCredentialKeyPair> FirstPair = new(() => RsaCredentialKeys.Generate());
    private static readonly Lazy<RsaCredentialKeyPair> SecondPair = new(() => RsaCredentialKeys.Generate());

    public static RsaCredentialKeyPair First => FirstPair.Value;

    public static RsaCredentialKeyPair Second => SecondPair.Value;

    /// <summary>A fixed 4096-bit key (test data only; generating one takes seconds).</summary>
    public static string Rsa4096PrivateKeyPem =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "test-only-rsa4096.pem"));
}
