using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace RotationDashboard.Web.Hosting.Cluster;

/// <summary>
/// The data-protection key ring in the <c>data_protection_keys</c> table (migration 0012), shared by every instance on
/// the database: a session cookie or antiforgery token issued by one instance is read by all. Keys arrive here already
/// encrypted with the root key (<see cref="RootKeyXmlEncryptor"/>). A key is never changed once written.
/// </summary>
public sealed class PostgreSqlXmlRepository(string connectionString, TimeProvider timeProvider) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT xml FROM data_protection_keys ORDER BY created_at, friendly_name;", connection);
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand("""
            INSERT INTO data_protection_keys (friendly_name, xml, created_at) VALUES (@name, @xml, @now)
            ON CONFLICT (friendly_name) DO NOTHING;
            """, connection);
        command.Parameters.AddWithValue("name", friendlyName);
        command.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
        command.Parameters.AddWithValue("now", timeProvider.GetUtcNow().UtcTicks);
        command.ExecuteNonQuery();
    }
}
