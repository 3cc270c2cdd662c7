namespace RotationDashboard.Core.Notifications;

/// <summary>
/// The event types a channel can subscribe to. Each name ends in its payload version (<c>.v1</c>): a receiver that
/// sees a version it does not know should ignore the event rather than guess.
/// </summary>
public static class NotificationEventTypes
{
    public const string RunFailed = "rotation.run.failed.v1";
    public const string RunSucceeded = "rotation.run.succeeded.v1";
    public const string RotationDue = "rotation.due.v1";
    public const string SinglePhaseAutoRotation = "rotation.single-phase-auto-rotation.v1";
    public const string CredentialExpiring = "rotation.credential-expiring.v1";
    public const string ConnectionTestFailed = "connection.test-failed.v1";
    /// <summary>Auto-rotation paused after <c>RotationEngine:PauseAfterConsecutiveFailures</c> failed runs in a row; once per pause.</summary>
    public const string RotationPaused = "rotation.paused.v1";
    public const string Test = "notification.test.v1";

    /// <summary>Every subscribable type with a label for the UI, in display order.</summary>
    public static IReadOnlyList<(string Type, string Label)> All { get; } =
    [
        (RunFailed, "Run failed"),
        (RunSucceeded, "Run succeeded"),
        (RotationDue, "Rotation due soon"),
        (SinglePhaseAutoRotation, "Auto-rotation on for a single-phase rotation"),
        (CredentialExpiring, "Private Key JWT certificate expiring"),
        (ConnectionTestFailed, "Connection test failed"),
        (RotationPaused, "Rotation paused after repeated failures"),
    ];

    public static bool IsKnown(string type) => All.Any(t => t.Type == type) || type == Test;

    public static string Label(string type) => All.FirstOrDefault(t => t.Type == type).Label ?? (type == Test ? "Test" : type);
}
