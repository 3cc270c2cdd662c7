using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace RotationDashboard.Web.Data;

public static class RotationDashboardDbContextOptionsExtensions
{
    /// <summary>SQLite with the dashboard's per-connection pragmas and any extra interceptors.</summary>
    public static TBuilder UseRotationDashboardSqlite<TBuilder>(
        this TBuilder builder,
        string connectionString,
        int busyTimeoutMilliseconds,
        params IInterceptor[] interceptors)
        where TBuilder : DbContextOptionsBuilder
    {
        builder.UseSqlite(connectionString);
        builder.AddInterceptors([new SqlitePragmaInterceptor(busyTimeoutMilliseconds), .. interceptors]);
        return builder;
    }
}
