using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Notifications;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Sandbox;
using RotationDashboard.Testing;
using RotationDashboard.Web.Application.Rotations;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Notifications;
using RotationDashboard.Web.Scheduling;
using RotationDashboard.Web.Services.Rotations;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Notifications;

/// <summary>
/// A rotation that keeps failing pauses end to end: the sandbox fails every Auth0 update, the run that reaches
/// <c>RotationEngine:PauseAfterConsecutiveFailures</c> (default 5) switches auto-rotation off, drops the trigger, writes the
/// system's audit entry and sends one <c>rotation.paused.v1</c>; turning auto-rotation on resumes.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class RotationPauseTests(NotificationsAppFactory app) : IClassFixture<NotificationsAppFactory>
{
    private const int Limit = 5;

    [Fact]
    public async Task Five_failed_runs_pause_the_rotation_unschedule_it_audit_it_and_notify_once_until_auto_rotation_is_on_again()
    {
        await using var receiver = new LoopbackReceiver();
        var channel = await app.Center.CreateChannelAsync(new ChannelInput
        {
            Name = "pause-" + Guid.NewGuid().ToString("N")[..6], Kind = ChannelKinds.Webhook, Url = receiver.Url.ToString(),
        }, DashboardAppFactory.Ada);
        Assert.True(channel.Succeeded, channel.ToString());
        Assert.True((await app.Center.SubscribeAsync(channel.Value.Id, NotificationEventTypes.RotationPaused, null, null, null, DashboardAppFactory.Ada)).Succeeded);
        var client = app.Sandbox.CreateClient("Pause failing", SandboxAppType.NonInteractive, SandboxAuthMethod.ClientSecretPost);
        var rotation = await app.CreateRotationAsync("pause-failing", client.ClientId);
        var scheduler = app.Get<RotationScheduler>();
        var rotate = app.Get<RotateNow>();

        app.Sandbox.AddFailure(new SandboxFailureRule("PATCH", "/api/v2/clients/*", 500, Times: 1000));
        try
        {
            for (var i = 1; i <= Limit; i++)
            {
                var run = await rotate.ExecuteAsync(rotation.Id, RunTrigger.Api, DashboardAppFactory.Ada, waitForCompletion: true);
                Assert.Equal("failed", run.Value.Rotation.RotationStatus);
                var view = (await app.Get<RotationQueries>().GetAsync(rotation.Id))!;
                if (i < Limit)
                {
                    // Still retried at the next rotate-at time.
                    Assert.Null(view.Pause);
                    Assert.NotNull(view.NextRotationAt);
                    await NotificationsAppFactory.EventuallyAsync(() => scheduler.GetNextFireTimeAsync(rotation.Id), t => t is not null, what: "the retry trigger");
                }
            }
        }
        finally
        {
            app.Sandbox.ClearFaults();
        }

        var paused = (await app.Get<RotationQueries>().GetAsync(rotation.Id))!;
        Assert.Equal(Limit, paused.Pause?.ConsecutiveFailures);
        Assert.False(paused.IsAutoRotationEnabled);
        Assert.Null(paused.NextRotationAt);
        Assert.StartsWith(Rotation.PausedMessage(Limit), paused.LastRotationMessage, StringComparison.Ordinal);
        await NotificationsAppFactory.EventuallyAsync(() => scheduler.GetNextFireTimeAsync(rotation.Id), t => t is null, what: "the trigger to go");
        var listed = (await app.Get<RotationQueries>().QueryAsync(new RotationDashboardQuery { Search = "pause-failing" })).Items;
        Assert.Equal(paused.Pause, Assert.Single(listed, r => r.Id == rotation.Id).Pause);

        await using (var db = await app.Get<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync())
        {
            var audit = Assert.Single(await db.AuditEvents.Where(e => e.Action == AuditActions.RotationPaused && e.TargetId == rotation.Id.ToString()).ToListAsync());
            Assert.Equal(ActorType.System, audit.ActorType);
            Assert.Contains($"{Limit} failed runs", audit.Details, StringComparison.Ordinal);
        }

        var request = await NotificationsAppFactory.EventuallyAsync(
            () => Task.FromResult(receiver.Requests.FirstOrDefault(r => r.Body.Contains(rotation.Id.ToString(), StringComparison.Ordinal))),
            r => r is not null, what: "the paused webhook call");
        using (var body = JsonDocument.Parse(request!.Body))
        {
            Assert.Equal(NotificationEventTypes.RotationPaused, body.RootElement.GetProperty("type").GetString());
            var data = body.RootElement.GetProperty("data");
            Assert.Equal(Limit, data.GetProperty("failureCount").GetInt32());
            Assert.False(string.IsNullOrWhiteSpace(data.GetProperty("reason").GetString()));
            Assert.Contains("paused after 5 failed runs", data.GetProperty("summary").GetString(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(client.ClientSecret!, request.Body, StringComparison.Ordinal);

        // Exactly once per pause, however often the sources scan.
        var sources = app.Get<NotificationSources>();
        await sources.ScanAsync(CancellationToken.None);
        await sources.ScanAsync(CancellationToken.None);
        await Task.Delay(1000);
        Assert.Single(receiver.Requests, r => r.Body.Contains(rotation.Id.ToString(), StringComparison.Ordinal));

        // Turning auto-rotation on resumes: the count starts again and the retry is scheduled.
        var resumed = await app.Get<UpdateRotation>().ExecuteAsync(rotation.Id, new RotationChanges { IsAutoRotationEnabled = true }, DashboardAppFactory.Ada);
        Assert.True(resumed.Succeeded, resumed.ToString());
        Assert.Null(resumed.Value.Pause);
        Assert.NotNull(resumed.Value.NextRotationAt);
        await NotificationsAppFactory.EventuallyAsync(() => scheduler.GetNextFireTimeAsync(rotation.Id), t => t is not null, what: "the trigger to come back");
    }
}
