namespace RotationDashboard.Web.Hosting;

/// <summary>Settings of the built-in sandbox tenant (section "Sandbox"). On by default in Development only.</summary>
public sealed class SandboxIntegrationOptions
{
    public const string SectionName = "Sandbox";

    /// <summary>Mount the emulated Auth0 tenant inside the dashboard at <see cref="SandboxIntegration.MountPath"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>The sandbox is refused outside Development unless this is set (demo servers).</summary>
    public bool AllowOutsideDevelopment { get; set; }

    /// <summary>Seconds during which both the old and the new client secret work after a change (Auth0: up to 30).</summary>
    public double PropagationWindowSeconds { get; set; } = 5;

    /// <summary>Management API rate limit preset: Free (2/s), Enterprise (16/s) or Unlimited.</summary>
    public string Plan { get; set; } = "Enterprise";

    /// <summary>Keep the sandbox tenant's state in the data directory so a development run survives restarts.</summary>
    public bool PersistState { get; set; } = true;
}

public static class SandboxIntegration
{
    public const string MountPath = "/sandbox-tenant";

    /// <summary>The sandbox's application for the dashboard's own sign-in (sandbox only; not a real credential).</summary>
    public const string LoginClientId = "sandbox-dashboard-login";
    public const string LoginClientSecret = "sandbox-login-secret-not-for-production-use-0123456789";
}
