namespace RotationDashboard.Web.Services;

/// <summary>One page of a server-side paged query and the total number of matches.</summary>
public sealed record PagedResult<T>(IReadOnlyList<T> Items, int TotalCount);
