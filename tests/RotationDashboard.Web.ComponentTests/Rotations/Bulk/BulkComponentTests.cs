using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using RotationDashboard.Testing;
using RotationDashboard.Web.Application.Rotations.Bulk;
using RotationDashboard.Web.ComponentTests.Infrastructure;
using RotationDashboard.Web.Components.Rotations.Bulk;
using RotationDashboard.Web.Hosting;

namespace RotationDashboard.Web.ComponentTests.Rotations.Bulk;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class BulkComponentTests : ComponentTestContext
{
    public BulkComponentTests() => Services.AddScoped<BrowserTimeZone>();

    [Fact]
    public async Task The_confirmation_stays_disabled_until_the_connection_name_is_typed_exactly()
    {
        var (provider, result) = await ShowConfirmationAsync(count: 12, connectionName: "Acme production");
        var confirm = provider.Find("[data-testid=confirm-bulk]");
        Assert.True(confirm.HasAttribute("disabled"));
        Assert.Contains("Type the connection name \"Acme production\" to confirm", provider.Markup);

        provider.Find("[data-testid=confirm-bulk-dialog] input").Input("acme production");
        Assert.True(provider.Find("[data-testid=confirm-bulk]").HasAttribute("disabled"));

        provider.Find("[data-testid=confirm-bulk-dialog] input").Input("Acme production");
        provider.WaitForAssertion(() => Assert.False(provider.Find("[data-testid=confirm-bulk]").HasAttribute("disabled")));
        provider.Find("[data-testid=confirm-bulk]").Click();

        var outcome = await result.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(outcome!.Canceled);
    }

    [Fact]
    public async Task A_filtered_set_is_confirmed_by_typing_its_count_and_cancel_starts_nothing()
    {
        var (provider, result) = await ShowConfirmationAsync(count: 7, connectionName: null);
        Assert.Contains("Type 7 (the number of rotations) to confirm", provider.Markup);
        provider.Find("[data-testid=confirm-bulk-dialog] input").Input("7");
        provider.WaitForAssertion(() => Assert.False(provider.Find("[data-testid=confirm-bulk]").HasAttribute("disabled")));

        provider.Find("[data-testid=cancel-bulk]").Click();

        var outcome = await result.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(outcome!.Canceled);
    }

    [Fact]
    public void Progress_shows_counts_the_bar_and_each_rotation_with_its_state_and_reason()
    {
        var view = View(BulkOperationStatus.Running,
            Item("svc-a", BulkItemState.Succeeded), Item("svc-b", BulkItemState.Failed, "Auth0 refused the new secret (400)."),
            Item("svc-c", BulkItemState.Running), Item("svc-d", BulkItemState.Queued)) with { EstimatedRemaining = TimeSpan.FromSeconds(4) };

        var progress = Render<BulkOperationProgress>(p => p.Add(c => c.View, view));

        var counts = progress.Find("[role=status]").TextContent;
        Assert.Contains("2 of 4 done", counts);
        Assert.Contains("1 succeeded · 1 failed · 1 running · 1 queued", counts);
        Assert.Contains("about 4.0 s left", counts);
        Assert.Equal("2 of 4 done", progress.Find("[aria-label=Progress]").GetAttribute("aria-valuetext"));
        Assert.Equal("failed", progress.Find("tr[data-rotation=svc-b]").GetAttribute("data-state"));
        Assert.Contains("Auth0 refused the new secret (400).", progress.Find("tr[data-rotation=svc-b]").TextContent);
        Assert.Empty(progress.FindAll("[data-testid=bulk-summary]"));
    }

    [Fact]
    public void The_summary_says_how_many_failed_and_that_each_failure_says_why()
    {
        var view = View(BulkOperationStatus.Completed, Item("svc-a", BulkItemState.Succeeded), Item("svc-b", BulkItemState.Failed, "Injected refusal"));

        var progress = Render<BulkOperationProgress>(p => p.Add(c => c.View, view));

        var summary = progress.Find("[data-testid=bulk-summary]").TextContent;
        Assert.Contains("1 succeeded, 1 failed", summary);
        Assert.Contains("says why", summary);
    }

    [Fact]
    public void The_onboarding_preview_lists_each_applications_names_and_its_problems()
    {
        var items = new[]
        {
            new OnboardingPlanItem("cid-1", "Payments Worker", "payments-worker-rotation", ["PAYMENTS_WORKER_CLIENT_ID", "PAYMENTS_WORKER_CLIENT_SECRET"], []),
            new OnboardingPlanItem("cid-2", "Ledger", "ledger-rotation", ["LEDGER_CLIENT_ID", "LEDGER_CLIENT_SECRET"], ["Already rotated by \"ledger\" in dev:/."]),
        };

        var table = Render<OnboardingPreviewTable>(p => p.Add(c => c.Items, items));

        Assert.Equal("true", table.Find("tr[data-client-id=cid-1]").GetAttribute("data-valid"));
        Assert.Contains("PAYMENTS_WORKER_CLIENT_SECRET", table.Find("tr[data-client-id=cid-1]").TextContent);
        Assert.Contains("Ready", table.Find("tr[data-client-id=cid-1]").TextContent);
        Assert.Equal("false", table.Find("tr[data-client-id=cid-2]").GetAttribute("data-valid"));
        Assert.Contains("Already rotated by \"ledger\"", table.Find("tr[data-client-id=cid-2]").TextContent);
    }

    private async Task<(IRenderedComponent<MudDialogProvider> Provider, Task<DialogResult?> Result)> ShowConfirmationAsync(int count, string? connectionName)
    {
        RenderPopoverProvider();
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<ConfirmBulkRotationDialog>
        {
            { d => d.Count, count },
            { d => d.ConnectionName, connectionName },
            { d => d.Description, connectionName is null ? "search \"svc\"" : $"connection {connectionName}" },
        };
        IDialogReference? reference = null;
        await provider.InvokeAsync(async () => reference = await dialogs.ShowAsync<ConfirmBulkRotationDialog>("Confirm", parameters));
        provider.WaitForElement("[data-testid=confirm-bulk-dialog] input");
        return (provider, reference!.Result);
    }

    private static BulkOperationItemView Item(string name, BulkItemState state, string? message = null) =>
        new(Guid.NewGuid(), 0, Guid.NewGuid(), name, "client-" + name, state, null, message,
            state == BulkItemState.Queued ? null : DateTimeOffset.UtcNow.AddSeconds(-3),
            state is BulkItemState.Succeeded or BulkItemState.Failed ? DateTimeOffset.UtcNow : null);

    private static BulkOperationView View(BulkOperationStatus status, params BulkOperationItemView[] items)
    {
        int Count(BulkItemState s) => items.Count(i => i.State == s);
        return new BulkOperationView(Guid.NewGuid(), BulkOperationKind.Rotate, status, "connection Sandbox tenant", null, "user:ada@example.com",
            DateTimeOffset.UtcNow.AddSeconds(-10), status == BulkOperationStatus.Running ? null : DateTimeOffset.UtcNow, 2, 8, items.Length,
            Count(BulkItemState.Queued), Count(BulkItemState.Running), Count(BulkItemState.Succeeded), Count(BulkItemState.Failed),
            TimeSpan.FromSeconds(10), status == BulkOperationStatus.Running ? null : TimeSpan.Zero, items);
    }
}
