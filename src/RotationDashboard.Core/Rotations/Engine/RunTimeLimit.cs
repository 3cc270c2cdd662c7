namespace RotationDashboard.Core.Rotations.Engine;

/// <summary>A budget for Auth0 work: its token is cancelled when the budget is spent or the run is stopped.</summary>
internal sealed class RunTimeLimit : IDisposable
{
    private readonly CancellationTokenSource _expiry;
    private readonly CancellationTokenSource _linked;

    public RunTimeLimit(TimeSpan length, string owner, string setting, CancellationToken stopping, TimeProvider timeProvider, DateTimeOffset now)
    {
        Length = length;
        Owner = owner;
        Setting = setting;
        EndsAt = now + length;
        _expiry = new CancellationTokenSource(length, timeProvider);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _expiry.Token);
    }

    public TimeSpan Length { get; }

    /// <summary>Whose limit it is, for messages: "the run's", "the rollback's".</summary>
    public string Owner { get; }

    /// <summary>The setting that changes it.</summary>
    public string Setting { get; }

    public DateTimeOffset EndsAt { get; private set; }

    public CancellationToken Token => _linked.Token;

    public bool HasPassed => _expiry.IsCancellationRequested;

    /// <summary>A full budget again from now (after a planned wait).</summary>
    public void Restart(DateTimeOffset now)
    {
        if (!HasPassed)
        {
            _expiry.CancelAfter(Length);
            EndsAt = now + Length;
        }
    }

    public static string Format(TimeSpan length) =>
        length.TotalMinutes >= 1 && length.Seconds == 0 ? $"{length.TotalMinutes:0} min" : $"{length.TotalSeconds:0.#} s";

    public void Dispose()
    {
        _linked.Dispose();
        _expiry.Dispose();
    }
}
