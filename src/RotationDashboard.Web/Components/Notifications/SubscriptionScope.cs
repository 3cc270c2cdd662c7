using RotationDashboard.Web.Application.Notifications;
using RotationDashboard.Web.Notifications;

namespace RotationDashboard.Web.Components.Notifications;

/// <summary>What a subscription is narrowed to, in words people know: project and rotation names, not ids.</summary>
public static class SubscriptionScope
{
    public static string Describe(
        SubscriptionView subscription, IReadOnlyDictionary<Guid, string> projectNames, IReadOnlyDictionary<Guid, RotationChoice> rotations)
    {
        var parts = new List<string>(3);
        if (subscription.ProjectId is { } projectId)
        {
            parts.Add("project " + (projectNames.TryGetValue(projectId, out var name) ? name : "(deleted)"));
        }

        if (subscription.Environment is { Length: > 0 } environment)
        {
            parts.Add("environment " + environment);
        }

        if (subscription.RotationId is { } rotationId)
        {
            parts.Add("rotation " + (rotations.TryGetValue(rotationId, out var rotation) ? rotation.Name : "(deleted)"));
        }

        return parts.Count == 0 ? "all" : string.Join(", ", parts);
    }
}
