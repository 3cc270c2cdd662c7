using MudBlazor;

namespace RotationDashboard.Web.Components.Layout;

/// <summary>
/// The dashboard's MudBlazor theme: system fonts only (the dashboard runs where there is no internet for web fonts),
/// and palettes whose text and action colours keep WCAG AA contrast (4.5:1) on their backgrounds in both modes.
/// </summary>
public static class DashboardTheme
{
    /// <summary>The name under which the layout cascades whether dark mode is on, for components that draw their own colours.</summary>
    public const string IsDarkModeCascade = "IsDarkMode";

    private static readonly string[] SystemFonts =
        ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "Noto Sans", "Liberation Sans", "sans-serif"];

    private const string OnLight = "rgba(0,0,0,0.87)";

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3949ab",
            Secondary = "#00796b",
            AppbarBackground = "#283593",
            Success = "#2e7d32",
            Warning = "#b25e00",
            Error = "#c62828",
            Info = "#0b6fa4",
            TextSecondary = "rgba(0,0,0,0.68)",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#9fa8da",
            Secondary = "#80cbc4",
            AppbarBackground = "#1e1e2d",
            Success = "#81c784",
            Warning = "#ffb74d",
            Error = "#ef9a9a",
            Info = "#81d4fa",
            // The dark palette's colours are light, so text on them (buttons, chips) is dark to keep 4.5:1.
            PrimaryContrastText = OnLight,
            SecondaryContrastText = OnLight,
            SuccessContrastText = OnLight,
            WarningContrastText = OnLight,
            ErrorContrastText = OnLight,
            InfoContrastText = OnLight,
            TextSecondary = "rgba(255,255,255,0.72)",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = SystemFonts },
        },
    };
}
