namespace RotationDashboard.Web.Security;

/// <summary>The two roles of the dashboard. Admin may change anything; Viewer only reads (no reveals).</summary>
public static class DashboardRoles
{
    public const string Admin = "Admin";
    public const string Viewer = "Viewer";

    /// <summary>Claim type carrying the dashboard role (kept apart from any role claim the identity provider sends).</summary>
    public const string ClaimType = "rotation_dashboard/role";
}

public static class DashboardPolicies
{
    /// <summary>Any signed-in user (Admin or Viewer).</summary>
    public const string SignedIn = "SignedIn";

    /// <summary>Changes, reveals, rotations and token management.</summary>
    public const string Admin = "Admin";
}
