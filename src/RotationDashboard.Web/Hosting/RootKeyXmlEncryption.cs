using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Hosting;

/// <summary>
/// Encrypts ASP.NET data-protection keys (they sign session cookies and antiforgery tokens) with the dashboard's
/// root key before they are written to the data directory, so a copy of that directory alone cannot forge a session.
/// </summary>
public sealed class RootKeyXmlEncryptor(ISecretProtector protector) : IXmlEncryptor
{
    internal const string Purpose = "data-protection-key";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var ciphertext = protector.Protect(plaintext, Purpose);
        var element = new XElement("encryptedKey",
            new XComment(" Encrypted with the dashboard's root key (Encryption:RootKey). "),
            new XElement("value", Convert.ToBase64String(ciphertext)));
        return new EncryptedXmlInfo(element, typeof(RootKeyXmlDecryptor));
    }
}

/// <summary>Reads keys written by <see cref="RootKeyXmlEncryptor"/>; created by the data-protection system.</summary>
public sealed class RootKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var value = encryptedElement.Element("value")?.Value
                    ?? throw new FormatException("The encrypted data-protection key has no value element.");
        var plaintext = services.GetRequiredService<ISecretProtector>().Unprotect(Convert.FromBase64String(value), RootKeyXmlEncryptor.Purpose);
        return XElement.Parse(Encoding.UTF8.GetString(plaintext));
    }
}

public static class DataProtectionHostingExtensions
{
    public const string KeyDirectoryName = "data-protection-keys";

    /// <summary>
    /// Data-protection keys live with the data (SQLite: in the data directory; PostgreSQL: in the database) (sessions and antiforgery tokens survive restarts and container
    /// re-creation), encrypted with the root key. The directory is resolved when the keys are first needed, from the
    /// same <see cref="DatabaseLocation"/> as the database, so configuration added late (tests) applies too.
    /// </summary>
    public static IServiceCollection AddDashboardDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("RotationDashboard");
        services.AddOptions<KeyManagementOptions>()
            .Configure<DatabaseLocation, ISecretProtector, ILoggerFactory>((options, location, protector, loggers) =>
            {
                // PostgreSQL: one key ring in the database for every instance (a sign-in through one is valid on all).
                options.XmlRepository = location.IsPostgreSql
                    ? new Cluster.PostgreSqlXmlRepository(location.ConnectionString, TimeProvider.System)
                    : new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(location.DataDirectory, KeyDirectoryName)), loggers);
                options.XmlEncryptor = new RootKeyXmlEncryptor(protector);
            });
        return services;
    }
}
