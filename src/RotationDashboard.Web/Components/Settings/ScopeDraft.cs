using RotationDashboard.Core.Security;

namespace RotationDashboard.Web.Components.Settings;

/// <summary>The permissions an admin is choosing for a token or a machine identity, and where they are limited to.</summary>
public sealed class ScopeDraft
{
    public ScopeDraft(params string[] permissions) => Permissions = [.. permissions];

    public HashSet<string> Permissions { get; }

    public Guid? ProjectId { get; set; }

    public string? Environment { get; set; }

    public string? Path { get; set; }

    public bool IsLimitable => Permissions.Any(ApiPermissions.Limitable.Contains);

    /// <summary>
    /// Connections are shared by every project, so only the rotations and secrets permissions take the limit; they come
    /// first, as the service names the limit's field errors after scopes[0].
    /// </summary>
    public IReadOnlyList<ApiTokenScope> ToScopes() => ApiPermissions.All.Where(Permissions.Contains)
        .Select(p => ApiPermissions.Limitable.Contains(p) ? new ApiTokenScope(p, ProjectId, Blank(Environment), Blank(Path)) : new ApiTokenScope(p))
        .OrderByDescending(s => ApiPermissions.Limitable.Contains(s.Permission))
        .ToList();

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
