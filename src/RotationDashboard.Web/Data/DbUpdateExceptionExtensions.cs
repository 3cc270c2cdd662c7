using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace RotationDashboard.Web.Data;

public static class DbUpdateExceptionExtensions
{
    /// <summary>
    /// The save broke a UNIQUE index or the primary key (SQLite's SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY), as opposed to
    /// other constraint failures such as a foreign key, which mean something else to the caller.
    /// </summary>
    public static bool IsUniqueViolation(this DbUpdateException exception) =>
        exception.InnerException is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 }
            or PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>Any constraint failure (unique, primary key, foreign key, check, not null).</summary>
    public static bool IsConstraintViolation(this DbUpdateException exception) =>
        exception.InnerException is SqliteException { SqliteErrorCode: 19 }
            || (exception.InnerException is PostgresException postgres && postgres.SqlState.StartsWith("23", StringComparison.Ordinal));

    /// <summary>A UNIQUE index (or primary key) named <paramref name="indexName"/> was broken (SQLite names its columns instead).</summary>
    public static bool IsUniqueViolationOf(this DbUpdateException exception, string indexName, string sqliteColumns) =>
        exception.InnerException switch
        {
            SqliteException { SqliteErrorCode: 19 } sqlite => sqlite.Message.Contains(sqliteColumns, StringComparison.Ordinal),
            PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } postgres => postgres.ConstraintName == indexName,
            _ => false,
        };
}
