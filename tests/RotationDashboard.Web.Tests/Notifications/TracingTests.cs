using System.Collections.Concurrent;
using System.Diagnostics;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Telemetry;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Services.Rotations;
using RotationDashboard.Testing;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Notifications;

/// <summary>With tracing on, a run is one trace: the engine's run span, its Auth0 HTTP calls and its secret-store writes.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class TracingTests
{
    [Fact]
    public async Task A_run_is_one_trace_across_engine_auth0_calls_and_secret_store()
    {
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is DashboardTelemetry.Name or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        // An OTLP endpoint nobody listens on: exporting fails quietly, tracing is on.
        await using var app = NotificationsAppFactory.WithOtlp("http://127.0.0.1:9");
        var client = app.Sandbox.CreateClient("Traced", SandboxAppType.NonInteractive, SandboxAuthMethod.ClientSecretPost);
        var rotation = await app.CreateRotationAsync("traced", client.ClientId);
        var run = await app.Get<RotationDashboard.Web.Application.Rotations.RotateNow>().ExecuteAsync(rotation.Id, RunTrigger.Api, DashboardAppFactory.Ada, waitForCompletion: true);
        Assert.True(run.Succeeded, run.ToString());

        var runSpan = await NotificationsAppFactory.EventuallyAsync(
            () => Task.FromResult(activities.LastOrDefault(a => a.OperationName == "rotation.run" && Equals(a.GetTagItem("rotation.id"), rotation.Id))),
            a => a is not null, what: "the run span");
        var trace = activities.Where(a => a.TraceId == runSpan!.TraceId).ToList();
        Assert.Equal("Succeeded", runSpan!.GetTagItem("run.status"));
        Assert.Contains(trace, a => a.Source.Name == "System.Net.Http");
        Assert.Contains(trace, a => a.OperationName == "secret_store.publish_next");
        Assert.Contains(trace, a => a.OperationName == "secret_store.promote_next");
        Assert.All(trace.Where(a => a.OperationName.StartsWith("secret_store.", StringComparison.Ordinal)),
            a => Assert.DoesNotContain(a.Tags, t => t.Value is { } v && v.Contains(client.ClientSecret!, StringComparison.Ordinal)));
    }
}
