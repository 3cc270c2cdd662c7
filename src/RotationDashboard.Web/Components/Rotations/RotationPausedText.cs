using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Components.Rotations;

internal static class RotationPausedText
{
    public static string Title(RotationPause pause) =>
        pause.ConsecutiveFailures == 1 ? "Paused after 1 failed run" : $"Paused after {pause.ConsecutiveFailures} failed runs";
}
