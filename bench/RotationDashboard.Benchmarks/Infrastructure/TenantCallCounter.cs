using System.Diagnostics.Metrics;

namespace RotationDashboard.Benchmarks.Infrastructure;

/// <summary>
/// Management API requests the in-process sandbox tenant answered, by status, read from ASP.NET Core's own
/// <c>http.server.request.duration</c> metric (its route says which API): what the tenant saw, retries included.
/// </summary>
public sealed class TenantCallCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _answered;
    private long _rateLimited;

    public TenantCallCounter(string mountPath)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Microsoft.AspNetCore.Hosting" && instrument.Name == "http.server.request.duration")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            string? route = null;
            var status = 0;
            foreach (var tag in tags)
            {
                if (tag.Key == "http.route") route = tag.Value as string;
                else if (tag.Key == "http.response.status_code") status = Convert.ToInt32(tag.Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            if (route is null || !route.Contains(mountPath.Trim('/') + "/api/v2", StringComparison.Ordinal))
                return;
            if (status == 429) Interlocked.Increment(ref _rateLimited);
            else Interlocked.Increment(ref _answered);
        });
        _listener.Start();
    }

    /// <summary>Management API requests answered other than with 429.</summary>
    public long Answered => Interlocked.Read(ref _answered);

    public long RateLimited => Interlocked.Read(ref _rateLimited);

    public void Dispose() => _listener.Dispose();
}
