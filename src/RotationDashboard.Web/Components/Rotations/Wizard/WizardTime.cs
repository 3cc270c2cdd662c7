using System.Globalization;
using RotationDashboard.Core.Rotations;

namespace RotationDashboard.Web.Components.Rotations;

public enum DurationUnit
{
    Seconds,
    Minutes,
    Hours,
    Days,
}

/// <summary>The wizard's times of day (the admin's zone ↔ UTC) and durations (an amount and a unit ↔ <see cref="TimeSpan"/>).</summary>
public static class WizardTime
{
    private static readonly string[] TimeFormats = ["HH:mm", "H:mm"];

    /// <summary>
    /// <paramref name="localText"/> (<c>HH:mm</c> in <paramref name="zone"/>) as UTC hours and minutes, with today's offset
    /// (a zone with daylight saving time moves the local time by an hour half the year; the wizard says so). Null when
    /// the text is not a time.
    /// </summary>
    public static RotateAtUtc? ToUtc(string? localText, TimeZoneInfo zone, DateTimeOffset now)
    {
        if (!TimeOnly.TryParseExact(localText?.Trim(), TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return null;
        }

        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var local = today.ToDateTime(time, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            local = local.AddHours(1); // in the spring-forward gap: the first valid minute after it
        }

        var utc = new DateTimeOffset(local, zone.GetUtcOffset(local)).UtcDateTime;
        return new RotateAtUtc(utc.Hour, utc.Minute);
    }

    public static string ToLocalText(RotateAtUtc rotateAt, TimeZoneInfo zone, DateTimeOffset now)
    {
        var utc = new DateTimeOffset(now.UtcDateTime.Date + rotateAt.TimeOfDay, TimeSpan.Zero);
        return TimeZoneInfo.ConvertTime(utc, zone).ToString("HH:mm", CultureInfo.InvariantCulture);
    }

    /// <summary>Whether the zone's offset changes within the year ahead (<see cref="TimeZoneInfo.SupportsDaylightSavingTime"/> counts history too).</summary>
    public static bool HasDaylightSaving(TimeZoneInfo zone, DateTimeOffset now)
    {
        var offset = zone.GetUtcOffset(now);
        for (var month = 1; month <= 12; month++)
        {
            if (zone.GetUtcOffset(now.AddMonths(month)) != offset)
            {
                return true;
            }
        }

        return false;
    }

    public static TimeSpan? ToTimeSpan(double? amount, DurationUnit unit) => amount switch
    {
        null => null,
        _ when double.IsNaN(amount.Value) || Math.Abs(amount.Value) > 1e6 => null,
        _ => unit switch
        {
            DurationUnit.Seconds => TimeSpan.FromSeconds(amount.Value),
            DurationUnit.Minutes => TimeSpan.FromMinutes(amount.Value),
            DurationUnit.Hours => TimeSpan.FromHours(amount.Value),
            _ => TimeSpan.FromDays(amount.Value),
        },
    };

    /// <summary>The largest unit that shows <paramref name="duration"/> as a whole number.</summary>
    public static (double Amount, DurationUnit Unit) Split(TimeSpan duration) => duration switch
    {
        _ when duration == TimeSpan.Zero => (0, DurationUnit.Seconds),
        _ when duration.Ticks % TimeSpan.TicksPerDay == 0 => (duration.TotalDays, DurationUnit.Days),
        _ when duration.Ticks % TimeSpan.TicksPerHour == 0 => (duration.TotalHours, DurationUnit.Hours),
        _ when duration.Ticks % TimeSpan.TicksPerMinute == 0 => (duration.TotalMinutes, DurationUnit.Minutes),
        _ => (Math.Round(duration.TotalSeconds), DurationUnit.Seconds),
    };
}
