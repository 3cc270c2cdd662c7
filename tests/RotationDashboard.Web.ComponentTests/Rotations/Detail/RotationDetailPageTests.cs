using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Rotations.Pages;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.ComponentTests.Rotations.Detail;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class RotationDetailPageTests : DetailTestContext
{
    [Fact]
    public void Shows_a_progress_indicator_until_the_rotation_is_read_then_the_rotation()
    {
        SignInAdmin();
        var rotation = DetailData.Rotation();
        Reads.Rotation = rotation;
        Reads.Gate = new TaskCompletionSource();

        var page = RenderPage(rotation.Id);
        Assert.NotNull(page.Find("[data-testid=detail-loading]"));
        Assert.Empty(page.FindAll("h1"));

        Reads.Gate.SetResult();
        page.WaitForAssertion(() => Assert.Equal("orders-api", page.Find("h1").TextContent));
        Assert.Empty(page.FindAll("[data-testid=detail-loading]"));
    }

    [Fact]
    public void An_unknown_rotation_says_it_was_not_found_with_a_way_back()
    {
        SignInViewer();

        var page = RenderPage(Guid.NewGuid());

        Assert.Contains("Rotation not found", page.Find("[data-testid=empty-state]").TextContent);
        Assert.Equal("rotations", page.Find("[data-testid=empty-state] a").GetAttribute("href"));
    }

    [Fact]
    public void An_admin_gets_edit_delete_rotate_now_and_reveal_a_viewer_only_reads()
    {
        var rotation = DetailData.Rotation();
        Reads.Rotation = rotation;
        SignInAdmin();
        var admin = RenderPage(rotation.Id);
        foreach (var control in new[] { "rotate-now", "edit-rotation", "delete-rotation", "reveal-credentials", "detail-auto-rotation" })
        {
            Assert.Single(admin.FindAll($"[data-testid={control}]"));
        }

        Assert.Equal($"rotations/{rotation.Id}/edit", admin.Find("[data-testid=edit-rotation]").GetAttribute("href"));
        admin.Dispose();

        SignInViewer();
        var viewer = RenderPage(rotation.Id);
        foreach (var control in new[] { "rotate-now", "edit-rotation", "delete-rotation", "reveal-credentials", "detail-auto-rotation" })
        {
            Assert.Empty(viewer.FindAll($"[data-testid={control}]"));
        }

        Assert.Contains("Only an Admin can reveal", viewer.Find("[data-testid=generated-credentials]").TextContent);
        Assert.Equal("Enabled", viewer.Find("[data-testid=detail-auto-rotation-text]").TextContent);
    }

    [Fact]
    public void Rotate_now_asks_first_and_cancelling_starts_nothing()
    {
        SignInAdmin();
        var rotation = DetailData.Rotation();
        Reads.Rotation = rotation;
        var dialogs = Render<MudDialogProvider>();
        var page = RenderPage(rotation.Id);

        page.Find("[data-testid=rotate-now]").Click();
        Assert.Contains("published as NEXT first", dialogs.WaitForElement("[data-testid=rotate-now-effect]").TextContent);
        dialogs.Find("[data-testid=rotate-now-cancel]").Click();

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=rotate-now-dialog]")));
        Assert.Empty(RotateNow.Calls);
        Assert.Empty(page.FindAll("[data-testid=live-run]"));
    }

    [Fact]
    public void Rotate_now_confirmed_starts_a_manual_run_says_so_in_a_snackbar_and_shows_its_steps_live()
    {
        SignInAdmin();
        var rotation = DetailData.Rotation();
        Reads.Rotation = rotation;
        var run = DetailData.Run(rotation.Id);
        RotateNow.Answer = _ => OperationResult.Success(new RotateNowResult(run, rotation with { IsRotating = true, ActiveRun = run }, false));
        var dialogs = Render<MudDialogProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var page = RenderPage(rotation.Id);

        page.Find("[data-testid=rotate-now]").Click();
        dialogs.WaitForElement("[data-testid=rotate-now-confirm]").Click();

        page.WaitForAssertion(() => Assert.Equal("Running", page.Find("[data-testid=live-run]").GetAttribute("data-status")));
        var call = Assert.Single(RotateNow.Calls);
        Assert.Equal((rotation.Id, RunTrigger.Manual, true), (call.Id, call.Trigger, call.User.IsAdmin));
        Assert.Contains("Rotation started", snackbars.Markup);
        Assert.True(page.Find("[data-testid=rotate-now]").HasAttribute("disabled"));
        Assert.Contains("Rotating now", page.Find("[data-testid=live-run]").TextContent);
    }

    [Fact]
    public void A_refused_start_is_an_error_snackbar_and_no_run()
    {
        SignInAdmin();
        var rotation = DetailData.Rotation();
        Reads.Rotation = rotation;
        RotateNow.Answer = _ => OperationResult<RotateNowResult>.Upstream("Auth0 is not reachable.");
        var dialogs = Render<MudDialogProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var page = RenderPage(rotation.Id);

        page.Find("[data-testid=rotate-now]").Click();
        dialogs.WaitForElement("[data-testid=rotate-now-confirm]").Click();

        snackbars.WaitForAssertion(() => Assert.Contains("Could not start the rotation: Auth0 is not reachable.", snackbars.Markup));
        Assert.Empty(page.FindAll("[data-testid=live-run]"));
        Assert.False(page.Find("[data-testid=rotate-now]").HasAttribute("disabled"));
    }

    [Fact]
    public void Engine_events_update_the_live_steps_then_the_outcome_history_and_durations()
    {
        SignInViewer();
        RenderInteractively();
        var id = Guid.NewGuid();
        var runId = Guid.NewGuid();
        var first = DetailData.Run(id, succeededSteps: 1, id: runId);
        Reads.Rotation = DetailData.Rotation(id: id, activeRun: first);
        var page = RenderPage(id);
        Assert.Single(page.FindAll("[data-testid=live-run] [data-testid=run-step][data-status=Succeeded]"));
        var historyReads = Reads.HistoryReads.Count;
        var durationReads = Durations.Reads;

        var further = DetailData.Run(id, succeededSteps: 3, id: runId);
        Reads.Runs[runId] = further;
        Reads.Rotation = DetailData.Rotation(id: id, activeRun: further);
        Notifier.Publish(new RunStepChangedEvent(id, runId, RunStepName.Verify, RunStepStatus.Succeeded, null, DateTimeOffset.UtcNow));

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=live-run] [data-testid=run-step][data-status=Succeeded]").Count));
        Assert.Equal("Running", page.Find("[data-testid=live-run]").GetAttribute("data-status"));

        var done = DetailData.Run(id, RunStatus.Succeeded, succeededSteps: 6, id: runId);
        Reads.Runs[runId] = done;
        Reads.Rotation = DetailData.Rotation(id: id);
        Reads.History = [done];
        Notifier.Publish(new RunFinishedEvent(id, runId, RunStatus.Succeeded, null, DateTimeOffset.UtcNow));

        page.WaitForAssertion(() => Assert.Equal("Succeeded", page.Find("[data-testid=live-run]").GetAttribute("data-status")));
        Assert.Contains("The new credential is CURRENT", page.Find("[data-testid=live-run-result]").TextContent);
        Assert.True(Reads.HistoryReads.Count > historyReads);
        Assert.True(Durations.Reads > durationReads);
        Assert.Single(page.FindAll("[data-testid=run-history] tr[data-run]"));
    }

    [Fact]
    public void Events_about_another_rotation_change_nothing_and_a_deletion_says_so()
    {
        SignInViewer();
        RenderInteractively();
        var rotation = DetailData.Rotation();
        Reads.Rotation = rotation;
        var page = RenderPage(rotation.Id);

        Notifier.Publish(new RotationChangedEvent(Guid.NewGuid(), RotationChangeKind.Deleted, DateTimeOffset.UtcNow));
        Notifier.Publish(new RotationChangedEvent(rotation.Id, RotationChangeKind.Deleted, DateTimeOffset.UtcNow));

        page.WaitForAssertion(() => Assert.Contains("This rotation was deleted", page.Find("[data-testid=empty-state]").TextContent));
    }

    [Fact]
    public void Delete_confirmed_in_its_dialog_deletes_with_the_choices_made_and_goes_back_to_the_list()
    {
        SignInAdmin();
        var rotation = DetailData.Rotation();
        Reads.Rotation = rotation;
        Delete.Answer = () => OperationResult.Success(rotation);
        var dialogs = Render<MudDialogProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var page = RenderPage(rotation.Id);

        page.Find("[data-testid=delete-rotation]").Click();
        dialogs.WaitForElement("[data-testid=delete-rotation-dialog]");
        dialogs.Find("[data-testid=delete-revoke]").Change(true);
        dialogs.Find("[data-testid=delete-confirm-name]").Input("orders-api");
        dialogs.Find("[data-testid=delete-confirm]").Click();

        dialogs.WaitForAssertion(() => Assert.Equal((rotation.Id, true, false), Assert.Single(Delete.Calls)));
        page.WaitForAssertion(() => Assert.EndsWith("/rotations", Services.GetRequiredService<NavigationManager>().Uri));
        Assert.Contains("Rotation deleted: orders-api", snackbars.Markup);
    }

    [Fact]
    public void A_failed_rotation_leads_with_why_and_when_it_tries_again()
    {
        SignInViewer();
        var rotation = DetailData.Rotation(status: "failed", message: "Auth0 answered 503 on Verify");
        Reads.Rotation = rotation;

        var page = RenderPage(rotation.Id);

        Assert.Contains("The last rotation failed", page.Markup);
        Assert.Equal("Auth0 answered 503 on Verify", page.Find("[data-testid=detail-failure]").TextContent);
    }

    private IRenderedComponent<RotationDetail> RenderPage(Guid id) => Render<RotationDetail>(p => p.Add(x => x.Id, id));
}
