namespace RotationDashboard.Web.Application.Preferences;

/// <summary>A signed-in person's display choices, kept server-side so they follow them from browser to browser.</summary>
public sealed class UserPreference
{
    /// <summary>The identity provider's subject (<c>sub</c>), which stays stable when an e-mail address changes.</summary>
    public string Subject { get; set; } = "";

    public bool DarkMode { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
