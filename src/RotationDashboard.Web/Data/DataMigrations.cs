using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using RotationDashboard.Core.Encryption;

namespace RotationDashboard.Web.Data;

/// <summary>
/// Code that runs right after the SQL script of the same <see cref="Version"/>, in the migrator's transaction: what SQL
/// cannot do (re-encrypting values needs the root key). A failure rolls the whole start-up's migrations back.
/// </summary>
public interface IDataMigration
{
    int Version { get; }

    Task RunAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken);
}

/// <summary>
/// 0006: re-encrypts every secret version bound to its version id (old blobs were bound to the secret only, so one
/// version's ciphertext could be copied onto another version of the same secret). Old blobs are read with the old
/// purpose here and nowhere else; they are written under the current root key.
/// </summary>
public sealed partial class SecretVersionBindingMigration(ISecretProtector protector, ILogger<SecretVersionBindingMigration> logger) : IDataMigration
{
    public int Version => 6;

    public async Task RunAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        var rows = new List<(string Id, Guid VersionId, Guid SecretId, byte[] Blob)>();
        await using (var select = connection.CreateCommand())
        {
            select.Transaction = transaction;
            select.CommandText = """SELECT "id", "secret_id", "encrypted_value" FROM "secret_versions";""";
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var rowId = reader.GetString(0);
                rows.Add((rowId, Guid.Parse(rowId), Guid.Parse(reader.GetString(1)), (byte[])reader.GetValue(2)));
            }
        }

        await using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = """UPDATE "secret_versions" SET "encrypted_value" = $value WHERE "id" = $id;""";
        var value = update.Parameters.Add("$value", SqliteType.Blob);
        var id = update.Parameters.Add("$id", SqliteType.Text);
        foreach (var row in rows)
        {
            var plaintext = protector.Unprotect(row.Blob, ProtectionPurposes.SecretValue(row.SecretId));
            try
            {
                value.Value = protector.Protect(plaintext, ProtectionPurposes.SecretVersionValue(row.SecretId, row.VersionId));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }

            id.Value = row.Id;
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        LogReencrypted(logger, rows.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-encrypted {Count} secret versions bound to their version ids")]
    private static partial void LogReencrypted(ILogger logger, int count);
}
