using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace RotationDashboard.Web.Data;

public static class RotationDashboardDbContextOptionsExtensions
{
    /// <summary>The configured provider (SQLite with its pragmas, or PostgreSQL) and any extra interceptors.</summary>
    public static TBuilder UseRotationDashboardDatabase<TBuilder>(
        this TBuilder builder,
        DatabaseLocation location,
        int busyTimeoutMilliseconds,
        params IInterceptor[] interceptors)
        where TBuilder : DbContextOptionsBuilder
    {
        ArgumentNullException.ThrowIfNull(location);
        if (!location.IsPostgreSql)
        {
            return builder.UseRotationDashboardSqlite(location.ConnectionString, busyTimeoutMilliseconds, interceptors);
        }

        builder.UseRotationDashboardPostgreSql(location.ConnectionString, interceptors);
        return builder;
    }

    /// <summary>PostgreSQL (Npgsql) with any extra interceptors; the same model as on SQLite.</summary>
    public static TBuilder UseRotationDashboardPostgreSql<TBuilder>(
        this TBuilder builder,
        string connectionString,
        params IInterceptor[] interceptors)
        where TBuilder : DbContextOptionsBuilder
    {
        builder.UseNpgsql(connectionString);
        if (interceptors.Length > 0)
        {
            builder.AddInterceptors(interceptors);
        }

        return builder;
    }

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
