using System.Globalization;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Application.Rotations.Bulk;

/// <summary>Which rotations a bulk rotation covers: every rotation of a connection, or the dashboard's filter (all pages).</summary>
public sealed record BulkRotationSet
{
    public Guid? ConnectionId { get; init; }

    /// <summary>The dashboard's filter; paging and sorting are ignored (every match is rotated).</summary>
    public RotationDashboardQuery? Filter { get; init; }

    public static BulkRotationSet OfConnection(Guid connectionId) => new() { ConnectionId = connectionId };

    public static BulkRotationSet OfFilter(RotationDashboardQuery filter) => new() { Filter = filter };

    /// <summary>The filter actually applied: the connection narrows the filter when both are given.</summary>
    internal RotationDashboardQuery Query => (Filter ?? new RotationDashboardQuery()) with
    {
        ConnectionId = ConnectionId ?? Filter?.ConnectionId,
        Skip = 0,
        Take = RotationDashboardQuery.MaxTake,
    };

    /// <summary>In words, for the audit log and the summary: which set, not which credentials.</summary>
    internal string Describe(string? connectionName)
    {
        var query = Query;
        var parts = new List<string>();
        if (connectionName is not null) parts.Add($"connection {connectionName}");
        if (query.ProjectId is { } project) parts.Add($"project {project}");
        if (query.EnvironmentId is { } environment) parts.Add($"environment {environment}");
        if (query.Filter != RotationListFilter.All) parts.Add($"status {query.Filter}");
        if (query.Strategy is { } strategy) parts.Add($"strategy {strategy}");
        if (!string.IsNullOrWhiteSpace(query.Search)) parts.Add(string.Create(CultureInfo.InvariantCulture, $"search \"{query.Search.Trim()}\""));
        return parts.Count == 0 ? "every rotation" : string.Join(", ", parts);
    }
}
