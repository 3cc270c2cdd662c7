using System.ComponentModel.DataAnnotations;

namespace RotationDashboard.Web.Data;

/// <summary>Where the dashboard keeps its files. Section <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";
    public const string DatabaseFileName = "rotation-dashboard.db";

    /// <summary>
    /// <c>Storage:DataDirectory</c>: holds the SQLite database (and, in Development, the generated root key).
    /// Relative paths are resolved against the content root. Created if missing.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// <c>Storage:Provider</c>: <c>Sqlite</c> (default; the database file in <see cref="DataDirectory"/> unless
    /// <c>ConnectionStrings:Default</c> names another) or <c>PostgreSql</c> (<c>ConnectionStrings:Default</c> required;
    /// several instances may share the database).
    /// </summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// <c>Storage:ClusterPollInterval</c> (PostgreSQL only): how often an instance reads the events other instances
    /// published (secret cache invalidations, run progress for the live UI). It bounds how stale a cached secret
    /// read can be on this instance after a write on another (this interval plus one database round trip).
    /// </summary>
    public TimeSpan ClusterPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// <c>Storage:OrphanSweepInterval</c> (PostgreSQL only): how often one instance of the cluster looks for unfinished
    /// runs whose lease expired (their instance died) and resumes them. A run is taken over at most
    /// <c>RotationEngine:LeaseDuration</c> plus this interval after its instance died.
    /// </summary>
    public TimeSpan OrphanSweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary><c>Storage:BusyTimeoutMilliseconds</c>: how long a connection waits for a lock before failing.</summary>
    [Range(0, 600_000)]
    public int BusyTimeoutMilliseconds { get; set; } = 5_000;
}
