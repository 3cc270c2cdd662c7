using RotationDashboard.Testing;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Scheduling;

namespace RotationDashboard.Core.Tests.Scheduling;

/// <summary>The worked examples of hanzo-infisical-rotation.md §3, and the edges around them.</summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public class NextRotationCalculatorTests
{
    private static readonly NextRotationCalculator Calculator = NextRotationCalculator.Default;

    private static DateTimeOffset Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        new(year, month, day, hour, minute, second, TimeSpan.Zero);

    private static ScheduleState State(
        DateTimeOffset lastRotatedAt,
        bool manual,
        int interval = 30,
        RotateAtUtc? rotateAt = null,
        bool auto = true,
        RotationStatus status = RotationStatus.Success) =>
        new(auto, status, lastRotatedAt, interval, rotateAt ?? RotateAtUtc.Midnight, manual);

    [Fact]
    public void Created_at_1400_with_midnight_rotate_at_gets_one_extra_day()
    {
        var created = Utc(2025, 1, 10, 14);

        Assert.Equal(Utc(2025, 2, 10), Calculator.Calculate(State(created, manual: true), created));
    }

    [Fact]
    public void Scheduled_rotation_just_after_midnight_adds_exactly_the_interval()
    {
        var rotated = Utc(2025, 2, 10, 0, 0, 3);

        Assert.Equal(Utc(2025, 3, 12), Calculator.Calculate(State(rotated, manual: false), rotated));
    }

    [Fact]
    public void Manual_rotation_at_0900_gets_one_extra_day()
    {
        var rotated = Utc(2025, 2, 20, 9);

        Assert.Equal(Utc(2025, 3, 23), Calculator.Calculate(State(rotated, manual: true), rotated));
    }

    [Fact]
    public void Manual_rotation_before_rotate_at_time_is_not_padded()
    {
        var created = Utc(2025, 1, 10, 1);

        var next = Calculator.Calculate(State(created, manual: true, interval: 1, rotateAt: new RotateAtUtc(3, 30)), created);

        Assert.Equal(Utc(2025, 1, 11, 3, 30), next);
    }

    [Fact]
    public void Manual_rotation_exactly_at_rotate_at_time_is_padded()
    {
        var rotated = Utc(2025, 1, 10, 3, 30);

        var next = Calculator.Calculate(State(rotated, manual: true, interval: 1, rotateAt: new RotateAtUtc(3, 30)), rotated);

        Assert.Equal(Utc(2025, 1, 12, 3, 30), next);
    }

    [Fact]
    public void Uses_the_utc_date_of_the_last_rotation()
    {
        // 23:30 at -05:00 is 04:30 UTC the next day.
        var rotated = new DateTimeOffset(2025, 1, 10, 23, 30, 0, TimeSpan.FromHours(-5));

        var next = Calculator.Calculate(State(rotated, manual: false, interval: 7, rotateAt: new RotateAtUtc(6, 0)), rotated);

        Assert.Equal(Utc(2025, 1, 18, 6), next);
        Assert.Equal(TimeSpan.Zero, next!.Value.Offset);
    }

    [Fact]
    public void Auto_rotation_off_gives_null()
    {
        var rotated = Utc(2025, 1, 10);

        Assert.Null(Calculator.Calculate(State(rotated, manual: false, auto: false), rotated));
    }

    [Fact]
    public void Never_rotated_gives_null()
    {
        var state = new ScheduleState(true, null, null, 30, RotateAtUtc.Midnight, true);

        Assert.Null(Calculator.Calculate(state, Utc(2025, 1, 10)));
    }

    [Fact]
    public void Failed_retries_at_the_next_occurrence_of_rotate_at_by_default()
    {
        var rotateAt = new RotateAtUtc(18, 0);
        var beforeToday = State(Utc(2025, 1, 1), manual: false, rotateAt: rotateAt, status: RotationStatus.Failed);

        Assert.Equal(Utc(2025, 1, 10, 18), Calculator.Calculate(beforeToday, Utc(2025, 1, 10, 9)));
        Assert.Equal(Utc(2025, 1, 11, 18), Calculator.Calculate(beforeToday, Utc(2025, 1, 10, 18)));
        Assert.Equal(Utc(2025, 1, 11, 18), Calculator.Calculate(beforeToday, Utc(2025, 1, 10, 20)));
    }

    [Fact]
    public void Failed_retries_tomorrow_under_infisicals_policy()
    {
        var infisical = new NextRotationCalculator(FailedRotationRetryPolicy.NextUtcDay);
        var failed = State(Utc(2025, 1, 1), manual: false, rotateAt: new RotateAtUtc(18, 0), status: RotationStatus.Failed);

        Assert.Equal(Utc(2025, 1, 11, 18), infisical.Calculate(failed, Utc(2025, 1, 10, 9)));
    }

    [Fact]
    public void Failed_with_auto_rotation_off_gives_null()
    {
        var failed = State(Utc(2025, 1, 1), manual: false, auto: false, status: RotationStatus.Failed);

        Assert.Null(Calculator.Calculate(failed, Utc(2025, 1, 10)));
    }
}
