using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RotationDashboard.Core.Notifications;

/// <summary>
/// Shapes an event for each channel kind. Built from the event's fields alone, so nothing the event does not carry
/// (no secret) can reach a payload.
/// </summary>
public static class NotificationPayloads
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    /// <summary>The generic webhook body: <c>{ "type", "id", "occurredAt", "data": {...} }</c>.</summary>
    public static string Webhook(NotificationEvent e, Uri? link)
    {
        var data = new JsonObject
        {
            ["summary"] = e.Summary,
            ["rotationId"] = e.RotationId?.ToString(),
            ["rotationName"] = e.RotationName,
            ["projectId"] = e.ProjectId?.ToString(),
            ["environment"] = e.Environment,
            ["connectionId"] = e.ConnectionId?.ToString(),
            ["connectionName"] = e.ConnectionName,
            ["runId"] = e.RunId?.ToString(),
            ["reason"] = e.Reason,
            ["failureCount"] = e.FailureCount,
            ["at"] = e.At?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
            ["link"] = link?.ToString(),
        };
        foreach (var key in data.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            data.Remove(key);
        }

        var body = new JsonObject
        {
            ["type"] = e.Type,
            ["id"] = e.Id.ToString(),
            ["occurredAt"] = e.OccurredAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
            ["data"] = data,
        };
        return body.ToJsonString(Json);
    }

    /// <summary>A Slack incoming-webhook message: a plain <c>text</c> fallback and a section block with a link.</summary>
    public static string Slack(NotificationEvent e, Uri? link)
    {
        var lines = new List<string> { $"*{Escape(e.Summary)}*" };
        if (e.Reason is { Length: > 0 } reason) lines.Add("Reason: " + Escape(reason));
        if (AtLine(e) is { } at) lines.Add(at);
        if (e.Environment is { Length: > 0 } env) lines.Add("Environment: " + Escape(env));
        if (link is not null) lines.Add($"<{link}|Open {(e.RotationId is null ? "the dashboard" : "the rotation")}>");
        var text = string.Join("\n", lines);
        var body = new JsonObject
        {
            ["text"] = e.Summary,
            ["blocks"] = new JsonArray(new JsonObject
            {
                ["type"] = "section",
                ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = text },
            }),
        };
        return body.ToJsonString(Json);
    }

    public static string EmailSubject(NotificationEvent e) => "[Rotation Dashboard] " + e.Summary;

    public static string EmailText(NotificationEvent e, Uri? link)
    {
        var lines = new List<string> { e.Summary, "" };
        if (e.Reason is { Length: > 0 } reason) lines.Add("Reason: " + reason);
        if (AtLine(e) is { } at) lines.Add(at.Replace("*", "", StringComparison.Ordinal));
        if (e.Environment is { Length: > 0 } env) lines.Add("Environment: " + env);
        lines.Add("Event: " + e.Type);
        lines.Add("Occurred at: " + e.OccurredAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture));
        if (link is not null) lines.AddRange(["", link.ToString()]);
        return string.Join("\n", lines);
    }

    private static string? AtLine(NotificationEvent e)
    {
        if (e.At is not { } at) return null;
        var when = at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        return e.Type switch
        {
            NotificationEventTypes.RunFailed => "Next attempt: " + when,
            NotificationEventTypes.RotationPaused => "Paused at: " + when,
            NotificationEventTypes.RotationDue => "Due: " + when,
            NotificationEventTypes.CredentialExpiring => "Expires: " + when,
            _ => "At: " + when,
        };
    }

    /// <summary>Slack's three control characters in mrkdwn.</summary>
    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
