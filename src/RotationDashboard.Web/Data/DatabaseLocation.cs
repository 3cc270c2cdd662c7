using Microsoft.Data.Sqlite;
using Npgsql;

namespace RotationDashboard.Web.Data;

/// <summary>The resolved data directory, database provider and connection string.</summary>
public sealed class DatabaseLocation
{
    public DatabaseLocation(string dataDirectory, string connectionString, DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        DataDirectory = dataDirectory;
        ConnectionString = connectionString;
        Provider = provider;
    }

    public DatabaseProvider Provider { get; }

    public bool IsPostgreSql => Provider == DatabaseProvider.PostgreSql;

    /// <summary>Absolute path of the data directory.</summary>
    public string DataDirectory { get; }

    public string ConnectionString { get; }

    /// <summary>The database file (null for in-memory databases).</summary>
    public string? DatabaseFile
    {
        get
        {
            if (IsPostgreSql)
            {
                return null;
            }

            var dataSource = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
            return string.IsNullOrEmpty(dataSource) || dataSource == ":memory:" ? null : Path.GetFullPath(dataSource);
        }
    }

    /// <summary>
    /// Resolves <see cref="StorageOptions.DataDirectory"/> against <paramref name="contentRoot"/> and creates it
    /// (owner-only on Unix). The database is <c>rotation-dashboard.db</c> in it unless
    /// <paramref name="configuredConnectionString"/> (<c>ConnectionStrings:Default</c>) is given.
    /// </summary>
    public static DatabaseLocation Resolve(string contentRoot, StorageOptions options, string? configuredConnectionString)
    {
        var dataDirectory = Path.GetFullPath(Path.Combine(contentRoot, options.DataDirectory));
        if (!Directory.Exists(dataDirectory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(dataDirectory);
            }
            else
            {
                Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        if (options.Provider == DatabaseProvider.PostgreSql)
        {
            if (string.IsNullOrWhiteSpace(configuredConnectionString))
            {
                throw new InvalidOperationException(
                    "Storage:Provider is PostgreSql but ConnectionStrings:Default is not set: give it the PostgreSQL " +
                    "connection string (e.g. Host=db;Database=rotation_dashboard;Username=dashboard;Password=...).");
            }

            return new DatabaseLocation(dataDirectory, configuredConnectionString, DatabaseProvider.PostgreSql);
        }

        var connectionString = string.IsNullOrWhiteSpace(configuredConnectionString)
            ? new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(dataDirectory, StorageOptions.DatabaseFileName),
                Mode = SqliteOpenMode.ReadWriteCreate,
                ForeignKeys = true,
            }.ToString()
            : configuredConnectionString;
        return new DatabaseLocation(dataDirectory, connectionString);
    }

    public override string ToString()
    {
        if (!IsPostgreSql)
        {
            return DatabaseFile ?? "(in-memory)";
        }

        // Never the password.
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}";
    }
}
