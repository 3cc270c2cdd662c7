using RotationDashboard.Core.Encryption;

namespace RotationDashboard.Core.Tests;

internal static class TestProtector
{
    public static AesGcmSecretProtector Create(out RootKey key)
    {
        key = RootKey.Generate();
        return new AesGcmSecretProtector(new RootKeyRing(key));
    }

    public static AesGcmSecretProtector Create() => Create(out _);
}
