using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using RotationDashboard.Web.Hosting;

namespace RotationDashboard.Web.Tests.Rotations.Bulk;

/// <summary>Every Management API request the in-app sandbox tenant answered: when (stopwatch time) and with which status.</summary>
public sealed class ManagementCallLog
{
    private readonly ConcurrentQueue<(TimeSpan At, int Status)> _calls = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<(TimeSpan At, int Status)> Since(TimeSpan start) => _calls.Where(c => c.At >= start).OrderBy(c => c.At).ToList();

    /// <summary>The most calls in any window of <paramref name="window"/> (sliding over the call times).</summary>
    public static int MostIn(IReadOnlyList<(TimeSpan At, int Status)> calls, TimeSpan window)
    {
        var most = 0;
        var first = 0;
        for (var last = 0; last < calls.Count; last++)
        {
            while (calls[last].At - calls[first].At >= window) first++;
            most = Math.Max(most, last - first + 1);
        }

        return most;
    }

    internal IStartupFilter Filter() => new Recorder(this);

    private sealed class Recorder(ManagementCallLog log) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                var isManagement = context.Request.Path.StartsWithSegments(SandboxIntegration.MountPath, out var rest) && rest.StartsWithSegments("/api/v2");
                // Arrival time: the tenant's bucket is taken when the request arrives.
                var at = log.Now;
                await nextMiddleware(context);
                if (isManagement) log._calls.Enqueue((at, context.Response.StatusCode));
            });
            next(app);
        };
    }
}
