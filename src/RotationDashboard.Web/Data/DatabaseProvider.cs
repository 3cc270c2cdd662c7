namespace RotationDashboard.Web.Data;

/// <summary>
/// Where the dashboard keeps its data (<c>Storage:Provider</c>). SQLite is the embedded default: one instance, one
/// file, nothing to install. PostgreSQL lets several instances share one database (<c>ConnectionStrings:Default</c>),
/// with Quartz's clustered job store and the data-protection keys in it too.
/// </summary>
public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}
