using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RotationDashboard.Core.Telemetry;

/// <summary>
/// The dashboard's own meter and activity source (names listed in docs/observability.md). System.Diagnostics only:
/// the host decides whether anything listens (OpenTelemetry in the web app), and costs nothing when nothing does.
/// </summary>
public static class DashboardTelemetry
{
    public const string Name = "RotationDashboard";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Finished runs; tags <c>strategy</c>, <c>outcome</c> (succeeded, failed, rolled_back).</summary>
    public static readonly Counter<long> Runs = Meter.CreateCounter<long>("rotation_dashboard.runs", "{run}", "Finished rotation runs");

    public static readonly Histogram<double> RunDuration =
        Meter.CreateHistogram<double>("rotation_dashboard.run.duration", "s", "Duration of finished rotation runs");

    /// <summary>Tags <c>step</c>, <c>outcome</c>.</summary>
    public static readonly Histogram<double> StepDuration =
        Meter.CreateHistogram<double>("rotation_dashboard.run.step.duration", "s", "Duration of rotation run steps");

    /// <summary>How late a scheduled run started after its due time.</summary>
    public static readonly Histogram<double> ScheduleLag =
        Meter.CreateHistogram<double>("rotation_dashboard.schedule.lag", "s", "Delay between a rotation's due time and its scheduled run's start");

    /// <summary>Tags <c>channel_type</c>, <c>outcome</c> (delivered, failed, gave_up).</summary>
    public static readonly Counter<long> NotificationDeliveries =
        Meter.CreateCounter<long>("rotation_dashboard.notification.deliveries", "{attempt}", "Notification delivery attempts");
}
