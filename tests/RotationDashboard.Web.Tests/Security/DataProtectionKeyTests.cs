using RotationDashboard.Testing;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Hosting;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Security;

/// <summary>The keys behind session cookies and antiforgery tokens are stored encrypted with the root key.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class DataProtectionKeyTests
{
    [Fact]
    public async Task The_app_writes_its_data_protection_keys_encrypted_and_only_the_root_key_reads_them()
    {
        await using var app = new DashboardAppFactory();
        var payload = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("a session");

        var keyFiles = Directory.GetFiles(Path.Combine(app.DataDirectory, DataProtectionHostingExtensions.KeyDirectoryName), "key-*.xml");
        Assert.NotEmpty(keyFiles);
        Assert.All(keyFiles.Select(File.ReadAllText), xml =>
        {
            Assert.Contains(typeof(RootKeyXmlDecryptor).FullName!, xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
        });

        // Another process with the same data directory and root key reads the key; with another root key it cannot.
        using (var sameKey = DataProtectionFor(app.DataDirectory, app.RootKey))
        {
            Assert.Equal("a session", sameKey.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(payload));
        }

        using var otherKey = DataProtectionFor(app.DataDirectory, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        Assert.ThrowsAny<CryptographicException>(() => otherKey.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(payload));
    }

    private static ServiceProvider DataProtectionFor(string dataDirectory, string rootKey)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<ISecretProtector>(new AesGcmSecretProtector(new RootKeyRing(RootKey.FromBase64(rootKey))));
        services.AddSingleton(DatabaseLocation.Resolve(dataDirectory, new StorageOptions { DataDirectory = dataDirectory }, null));
        services.AddDashboardDataProtection();
        return services.BuildServiceProvider();
    }
}
