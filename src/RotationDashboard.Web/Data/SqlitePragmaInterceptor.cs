using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace RotationDashboard.Web.Data;

/// <summary>
/// Per-connection settings: a busy timeout (wait for a competing writer instead of failing at once), enforced
/// foreign keys, and <c>synchronous=NORMAL</c> (safe with WAL). WAL itself is a property of the database file,
/// set once by <see cref="DatabaseMigrator"/>.
/// </summary>
public sealed class SqlitePragmaInterceptor(int busyTimeoutMilliseconds) : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = CreateCommand(connection);
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = CreateCommand(connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static string PragmaSql(int busyTimeoutMilliseconds) =>
        $"PRAGMA busy_timeout = {busyTimeoutMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

    private DbCommand CreateCommand(DbConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = PragmaSql(busyTimeoutMilliseconds);
        return command;
    }
}
