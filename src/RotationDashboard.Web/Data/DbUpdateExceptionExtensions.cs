using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace RotationDashboard.Web.Data;

public static class DbUpdateExceptionExtensions
{
    /// <summary>
    /// The save broke a UNIQUE index or the primary key (SQLite's SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY), as opposed to
    /// other constraint failures such as a foreign key, which mean something else to the caller.
    /// </summary>
    public static bool IsUniqueViolation(this DbUpdateException exception) =>
        exception.InnerException is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };

    /// <summary>Any constraint failure (unique, primary key, foreign key, check, not null).</summary>
    public static bool IsConstraintViolation(this DbUpdateException exception) =>
        exception.InnerException is SqliteException { SqliteErrorCode: 19 };
}
