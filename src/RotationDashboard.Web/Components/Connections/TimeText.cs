using System.Globalization;

namespace RotationDashboard.Web.Components.Connections;

/// <summary>"just now", "5 minutes ago", "3 days ago"; the exact UTC time belongs in a tooltip.</summary>
public static class TimeText
{
    public static string Ago(DateTimeOffset when, DateTimeOffset now)
    {
        var elapsed = now - when;
        return elapsed switch
        {
            { TotalSeconds: < 45 } => "just now",
            { TotalMinutes: < 90 } => Plural((int)Math.Max(1, Math.Round(elapsed.TotalMinutes)), "minute"),
            { TotalHours: < 36 } => Plural((int)Math.Round(elapsed.TotalHours), "hour"),
            _ => Plural((int)Math.Round(elapsed.TotalDays), "day"),
        };
    }

    public static string Utc(DateTimeOffset when) =>
        when.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Plural(int count, string unit) => $"{count} {unit}{(count == 1 ? "" : "s")} ago";
}
