using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using RotationDashboard.Testing;
using SecretsPage = RotationDashboard.Web.Components.Secrets.Pages.Secrets;

namespace RotationDashboard.Web.ComponentTests.Secrets;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class SecretsPageTests : SecretsComponentTest
{
    private const string Value = "payments-api-key-4f1e2d3c";

    [Fact]
    public async Task Shows_a_loading_state_then_the_secrets_with_their_values_masked()
    {
        SignInAdmin();
        Store.Add("PAYMENTS_API_KEY", Value);
        Store.ListGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RenderPopoverProvider();

        var page = Render<SecretsPage>();
        Assert.NotNull(page.Find("[data-testid=secrets-loading]"));

        Store.ListGate.SetResult();

        // The table's first render happens here, not in Render: on a busy two-core machine it can outlast bUnit's default second.
        await page.WaitForElementAsync("[data-testid=secret-row-PAYMENTS_API_KEY]", TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll("[data-testid=secrets-loading]"));
        Assert.DoesNotContain(Value, page.Markup);
        Assert.Contains("Hidden value", page.Markup);
    }

    [Fact]
    public void An_empty_folder_says_where_secrets_would_appear_and_who_may_add_them()
    {
        SignInViewer();
        RenderPopoverProvider();

        var page = Render<SecretsPage>();

        var empty = page.WaitForElement("[data-testid=empty-state]");
        Assert.Contains("No secrets here yet", empty.TextContent);
        Assert.Contains("Only an Admin can add secrets.", empty.TextContent);
    }

    [Fact]
    public void A_store_that_fails_is_reported_and_the_page_loads_again_on_retry()
    {
        SignInAdmin();
        Store.Add("PAYMENTS_API_KEY", Value);
        Store.ListGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Store.ListGate.SetException(new InvalidOperationException("disk I/O error"));
        RenderPopoverProvider();

        var page = Render<SecretsPage>();
        var error = page.WaitForElement("[data-testid=secrets-error]");
        Assert.DoesNotContain("disk I/O error", page.Markup);

        Store.ListGate = null;
        error.QuerySelectorAll("button").Single(b => b.TextContent.Trim() == "Try again").Click();

        page.WaitForElement("[data-testid=secret-row-PAYMENTS_API_KEY]");
        Assert.Empty(page.FindAll("[data-testid=secrets-error]"));
    }

    [Fact]
    public void A_viewer_sees_masked_values_and_history_but_no_reveal_or_write_controls()
    {
        SignInViewer();
        Store.Add("PAYMENTS_API_KEY", Value);
        RenderPopoverProvider();

        var page = Render<SecretsPage>();

        page.WaitForElement("[data-testid=secret-row-PAYMENTS_API_KEY]");
        Assert.NotNull(page.Find("[data-testid=history-PAYMENTS_API_KEY]"));
        foreach (var control in new[] { "add-secret", "new-folder", "reveal-PAYMENTS_API_KEY", "edit-PAYMENTS_API_KEY", "delete-PAYMENTS_API_KEY" })
        {
            Assert.Empty(page.FindAll($"[data-testid={control}]"));
        }
    }

    [Fact]
    public void Reveal_asks_the_store_as_the_admin_shows_the_value_and_hide_masks_it_again()
    {
        SignInAdmin();
        var secret = Store.Add("PAYMENTS_API_KEY", Value);
        RenderPopoverProvider();
        var page = Render<SecretsPage>();

        page.WaitForElement("[data-testid=reveal-PAYMENTS_API_KEY]").Click();

        page.WaitForAssertion(() => Assert.Equal(Value, page.Find("[data-testid=revealed-PAYMENTS_API_KEY]").TextContent));
        var reveal = Assert.Single(Store.Reveals);
        Assert.Equal(secret.Id, reveal.SecretId);
        Assert.Null(reveal.VersionId); // the current value
        Assert.NotNull(page.Find("[data-testid=copy-PAYMENTS_API_KEY]"));

        page.Find("button[aria-label='Hide PAYMENTS_API_KEY']").Click();

        page.WaitForAssertion(() => Assert.DoesNotContain(Value, page.Markup));
        Assert.NotNull(page.Find("[data-testid=reveal-PAYMENTS_API_KEY]"));
    }

    [Fact]
    public void A_secret_a_rotation_writes_cannot_be_edited_or_deleted_by_hand()
    {
        SignInAdmin();
        Store.Add("ORDERS_CLIENT_SECRET", "x", ownerRotation: "orders-secret");
        RenderPopoverProvider();

        var page = Render<SecretsPage>();

        page.WaitForElement("[data-testid=secret-row-ORDERS_CLIENT_SECRET]");
        Assert.Contains("rotation orders-secret", page.Markup);
        Assert.True(page.Find("[data-testid=edit-ORDERS_CLIENT_SECRET]").HasAttribute("disabled"));
        Assert.True(page.Find("[data-testid=delete-ORDERS_CLIENT_SECRET]").HasAttribute("disabled"));
        Assert.Equal("Managed by a rotation", page.Find("[data-testid=delete-ORDERS_CLIENT_SECRET]").GetAttribute("aria-label"));
    }

    [Fact]
    public void Adding_a_secret_through_the_dialog_lists_it_at_once()
    {
        SignInAdmin();
        RenderPopoverProvider();
        var dialogs = Render<MudDialogProvider>();
        var page = Render<SecretsPage>();
        page.WaitForElement("[data-testid=empty-state]");

        page.Find("[data-testid=add-secret]").Click();
        dialogs.WaitForElement("input[data-testid=secret-key]").Change("PAYMENTS_API_KEY");
        dialogs.Find("textarea[data-testid=secret-value]").Change(Value);
        dialogs.Find("[data-testid=secret-save]").Click();

        page.WaitForElement("[data-testid=secret-row-PAYMENTS_API_KEY]");
        Assert.DoesNotContain(Value, page.Markup);
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=secret-key]")));
    }

    [Fact]
    public void Delete_asks_first_and_only_deletes_when_confirmed()
    {
        SignInAdmin();
        var secret = Store.Add("PAYMENTS_API_KEY", Value);
        RenderPopoverProvider();
        var dialogs = Render<MudDialogProvider>();
        var page = Render<SecretsPage>();

        page.WaitForElement("[data-testid=delete-PAYMENTS_API_KEY]").Click();
        Assert.Contains("Delete PAYMENTS_API_KEY and all its versions?", dialogs.WaitForElement("[data-testid=delete-secret-dialog]").TextContent);
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Keep it").Click();
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=delete-secret-dialog]")));
        Assert.Empty(Store.Deleted);

        page.Find("[data-testid=delete-PAYMENTS_API_KEY]").Click();
        dialogs.WaitForElement("[data-testid=delete-secret-dialog]");
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=secret-row-PAYMENTS_API_KEY]")));
        Assert.Equal([secret.Id], Store.Deleted);
    }

    [Fact]
    public void A_new_folder_becomes_the_current_path()
    {
        SignInAdmin();
        RenderPopoverProvider();
        var dialogs = Render<MudDialogProvider>();
        var page = Render<SecretsPage>();
        page.WaitForElement("[data-testid=empty-state]");

        page.Find("[data-testid=new-folder]").Click();
        dialogs.WaitForElement("input[data-testid=folder-path]").Change("/payments");
        dialogs.Find("[data-testid=folder-save]").Click();

        page.WaitForAssertion(() => Assert.Contains("at /payments appear here", page.Find("[data-testid=empty-state]").TextContent));
        // The address names the place, so it can be shared.
        Assert.EndsWith("?env=dev&path=%2Fpayments", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
    }
}
