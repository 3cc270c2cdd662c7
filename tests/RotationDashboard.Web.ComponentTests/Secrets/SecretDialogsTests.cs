using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Secrets;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.ComponentTests.Secrets;

/// <summary>The editor, new-folder and history dialogs, opened the way the page opens them.</summary>
[Trait(TestKind.Trait, TestKind.Component)]
public sealed class SecretDialogsTests : SecretsComponentTest
{
    [Fact]
    public async Task The_editor_shows_the_stores_validation_under_the_key_and_stays_open()
    {
        SignInAdmin();
        Store.Create = (key, _) => OperationResult<SecretSummary>.Invalid("key", "A key may not contain ':' or '/'.");
        var dialogs = Render<MudDialogProvider>();
        var dialog = await OpenAsync<SecretEditorDialog>(dialogs, "Add secret",
            new DialogParameters<SecretEditorDialog> { { d => d.FolderId, Store.Root(Store.Dev).Id } });

        dialogs.Find("input[data-testid=secret-key]").Change("BAD:KEY");
        dialogs.Find("textarea[data-testid=secret-value]").Change("irrelevant");
        dialogs.Find("[data-testid=secret-save]").Click();

        dialogs.WaitForAssertion(() => Assert.Equal("A key may not contain ':' or '/'.", dialogs.Find("[data-testid=field-error-key]").TextContent));
        Assert.Empty(Store.Secrets);
        Assert.False(dialog.Result.IsCompleted);
        Assert.Equal("Create secret", dialogs.Find("[data-testid=secret-save]").TextContent.Trim());
    }

    [Fact]
    public async Task Editing_leaves_the_value_alone_when_the_new_value_is_empty()
    {
        SignInAdmin();
        var secret = Store.Add("PAYMENTS_API_KEY", "old-value");
        var dialogs = Render<MudDialogProvider>();
        var dialog = await OpenAsync<SecretEditorDialog>(dialogs, "Edit PAYMENTS_API_KEY",
            new DialogParameters<SecretEditorDialog> { { d => d.FolderId, secret.FolderId }, { d => d.Existing, secret } });
        Assert.Equal("PAYMENTS_API_KEY", dialogs.Find("input[data-testid=secret-key]").GetAttribute("value"));
        Assert.Contains("leave empty to keep the current value", dialogs.Markup);

        dialogs.Find("[data-testid=secret-save]").Click();

        var result = await dialog.Result;
        Assert.False(result!.Canceled);
        Assert.Equal("old-value", Store.Values[secret.Id]);
    }

    [Fact]
    public async Task A_new_folder_starts_under_the_current_path_and_returns_the_created_path()
    {
        SignInAdmin();
        var dialogs = Render<MudDialogProvider>();
        var dialog = await OpenAsync<NewFolderDialog>(dialogs, "New folder",
            new DialogParameters<NewFolderDialog> { { d => d.EnvironmentId, Store.Dev.Id }, { d => d.ParentPath, "/payments" } });
        Assert.Equal("/payments/", dialogs.Find("input[data-testid=folder-path]").GetAttribute("value"));

        dialogs.Find("input[data-testid=folder-path]").Change("/payments/eu");
        dialogs.Find("[data-testid=folder-save]").Click();

        var result = await dialog.Result;
        Assert.Equal("/payments/eu", result!.Data);
    }

    [Fact]
    public async Task A_refused_folder_shows_why_and_stays_open()
    {
        SignInAdmin();
        Store.CreateFolder = _ => OperationResult<FolderSummary>.Invalid("path", "A folder path starts with '/'.");
        var dialogs = Render<MudDialogProvider>();
        var dialog = await OpenAsync<NewFolderDialog>(dialogs, "New folder",
            new DialogParameters<NewFolderDialog> { { d => d.EnvironmentId, Store.Dev.Id } });

        dialogs.Find("input[data-testid=folder-path]").Change("payments");
        dialogs.Find("[data-testid=folder-save]").Click();

        dialogs.WaitForAssertion(() => Assert.Equal("A folder path starts with '/'.", dialogs.Find("[data-testid=field-error-path]").TextContent));
        Assert.False(dialog.Result.IsCompleted);
    }

    [Fact]
    public async Task The_history_lists_versions_masked_and_reveals_one_version_for_an_admin()
    {
        SignInAdmin();
        var secret = Store.Add("PAYMENTS_API_KEY", "value");
        var current = new SecretVersionSummary(Guid.NewGuid(), 2, SecretStage.Current, "ada@example.com", DateTimeOffset.UtcNow);
        var previous = new SecretVersionSummary(Guid.NewGuid(), 1, SecretStage.Previous, "ada@example.com", DateTimeOffset.UtcNow.AddDays(-30));
        Store.Versions.AddRange([current, previous]);
        RenderPopoverProvider();
        var dialogs = Render<MudDialogProvider>();
        await OpenAsync<SecretHistoryDialog>(dialogs, "History of PAYMENTS_API_KEY",
            new DialogParameters<SecretHistoryDialog> { { d => d.SecretId, secret.Id } });

        var history = dialogs.WaitForElement("[data-testid=secret-history]");
        Assert.Contains("CURRENT", history.TextContent);
        Assert.Contains("PREVIOUS", history.TextContent);
        Assert.DoesNotContain("value-v", dialogs.Markup);

        dialogs.Find("[data-testid=reveal-v1]").Click();

        dialogs.WaitForAssertion(() => Assert.Equal("value-v1", dialogs.Find("[data-testid=revealed-v1]").TextContent));
        Assert.Equal((secret.Id, (Guid?)previous.Id), (Store.Reveals.Single().SecretId, Store.Reveals.Single().VersionId));
        Assert.Empty(dialogs.FindAll("[data-testid=revealed-v2]"));
    }

    [Fact]
    public async Task A_viewer_sees_the_history_without_reveal()
    {
        SignInViewer();
        var secret = Store.Add("PAYMENTS_API_KEY", "value");
        Store.Versions.Add(new SecretVersionSummary(Guid.NewGuid(), 1, SecretStage.Current, "ada@example.com", DateTimeOffset.UtcNow));
        RenderPopoverProvider();
        var dialogs = Render<MudDialogProvider>();
        await OpenAsync<SecretHistoryDialog>(dialogs, "History", new DialogParameters<SecretHistoryDialog> { { d => d.SecretId, secret.Id } });

        dialogs.WaitForElement("[data-testid=secret-history]");
        Assert.Empty(dialogs.FindAll("[data-testid^=reveal-]"));
        Assert.Contains("Hidden value", dialogs.Markup);
    }

    [Fact]
    public async Task A_secret_without_versions_says_so()
    {
        SignInAdmin();
        var dialogs = Render<MudDialogProvider>();
        await OpenAsync<SecretHistoryDialog>(dialogs, "History", new DialogParameters<SecretHistoryDialog> { { d => d.SecretId, Guid.NewGuid() } });

        Assert.Equal("This secret has no versions.", dialogs.WaitForElement("[data-testid=secret-history-empty]").TextContent);
    }

    private async Task<IDialogReference> OpenAsync<TDialog>(IRenderedComponent<MudDialogProvider> dialogs, string title, DialogParameters<TDialog> parameters)
        where TDialog : Microsoft.AspNetCore.Components.IComponent
    {
        var service = Services.GetRequiredService<IDialogService>();
        return await dialogs.InvokeAsync(() => service.ShowAsync<TDialog>(title, parameters));
    }
}
