namespace RotationDashboard.Web.Components.Connections;

/// <summary>Which column a client-side list sorts by, and which way.</summary>
public sealed record ApplicationSort(string Key, bool Descending);
