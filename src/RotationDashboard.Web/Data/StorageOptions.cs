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

    /// <summary><c>Storage:BusyTimeoutMilliseconds</c>: how long a connection waits for a lock before failing.</summary>
    [Range(0, 600_000)]
    public int BusyTimeoutMilliseconds { get; set; } = 5_000;
}
