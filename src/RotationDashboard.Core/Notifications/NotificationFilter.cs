namespace RotationDashboard.Core.Notifications;

/// <summary>Which events a subscription wants: a type and, optionally, one project, environment or rotation.</summary>
public static class NotificationFilter
{
    public static bool Matches(NotificationEvent e, string eventType, Guid? projectId, string? environment, Guid? rotationId)
    {
        if (!string.Equals(e.Type, eventType, StringComparison.Ordinal)) return false;
        if (projectId is { } p && e.ProjectId != p) return false;
        if (environment is { Length: > 0 } env && !string.Equals(e.Environment, env, StringComparison.OrdinalIgnoreCase)) return false;
        if (rotationId is { } r && e.RotationId != r) return false;
        return true;
    }
}
