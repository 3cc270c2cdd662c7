using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Testing;
using RotationDashboard.Web.ComponentTests.Infrastructure;
using RotationDashboard.Web.Components.Shared;
using RotationDashboard.Web.Hosting;

namespace RotationDashboard.Web.ComponentTests.Shared;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class SharedComponentTests : ComponentTestContext
{
    [Fact]
    public void The_page_header_is_the_page_heading_with_its_subtitle_and_actions()
    {
        var header = Render<PageHeader>(p => p.Add(h => h.Title, "Rotations").Add(h => h.Subtitle, "Every rotation")
            .Add(h => h.Actions, b => b.AddMarkupContent(0, "<button>Create</button>")));

        Assert.Equal("Rotations", header.Find("h1").TextContent);
        Assert.Contains("Every rotation", header.Markup);
        Assert.Equal("Create", header.Find("button").TextContent);
    }

    [Fact]
    public void The_empty_state_draws_a_material_icon_by_name_or_as_svg()
    {
        var byName = Render<EmptyState>(p => p.Add(e => e.Title, "Nothing here").Add(e => e.Icon, "travel_explore")
            .Add(e => e.ChildContent, b => b.AddMarkupContent(0, "<p>Try later</p>")));

        Assert.Equal("Nothing here", byName.Find("[data-testid=empty-state] h2").TextContent);
        Assert.Contains("Try later", byName.Find("[data-testid=empty-state]").TextContent);
        Assert.Equal(Icons.Material.Filled.TravelExplore, MaterialIcon.Resolve("travel_explore"));
        Assert.Equal(Icons.Material.Filled.Inbox, MaterialIcon.Resolve("no_such_icon"));
        Assert.Equal(Icons.Material.Filled.Block, MaterialIcon.Resolve(Icons.Material.Filled.Block));
        Assert.NotNull(byName.Find("svg"));
    }

    [Fact]
    public void Field_errors_show_only_the_messages_of_their_field()
    {
        var errors = new Dictionary<string, string[]> { ["name"] = ["Name is required.", "Too short."], ["key"] = ["Bad key."] };

        var field = Render<FieldErrors>(p => p.Add(f => f.Field, "name").Add(f => f.Errors, errors));

        Assert.Equal(["Name is required.", "Too short."], field.FindAll("[data-testid=field-error-name]").Select(e => e.TextContent));
        Assert.DoesNotContain("Bad key.", field.Markup);
        Assert.Equal("", Render<FieldErrors>(p => p.Add(f => f.Field, "name")).Markup.Trim());
    }

    [Theory]
    [InlineData(SecretStage.Current, "CURRENT")]
    [InlineData(SecretStage.Previous, "PREVIOUS")]
    public void The_stage_badge_names_the_stage(SecretStage stage, string text)
    {
        var badge = Render<StageBadge>(p => p.Add(b => b.Stage, stage));

        Assert.Equal(text, badge.Find("[data-testid=stage-badge]").TextContent.Trim());
    }

    [Fact]
    public void The_copy_button_copies_through_the_browser_and_confirms()
    {
        JSInterop.Setup<bool>("rotationDashboard.copyText", "client-123").SetResult(true);
        var snackbar = Render<MudSnackbarProvider>();

        var button = Render<CopyButton>(p => p.Add(c => c.Value, "client-123").Add(c => c.TestId, "copy-client"));
        button.Find("button[data-testid=copy-client]").Click();

        Assert.Equal("Copy to clipboard", button.Find("button[data-testid=copy-client]").GetAttribute("aria-label"));
        snackbar.WaitForAssertion(() => Assert.Contains("Copied to the clipboard", snackbar.Markup));
    }

    [Fact]
    public void The_copy_button_says_when_the_browser_refuses()
    {
        JSInterop.Setup<bool>("rotationDashboard.copyText", "x").SetResult(false);
        var snackbar = Render<MudSnackbarProvider>();

        Render<CopyButton>(p => p.Add(c => c.Value, "x")).Find("button").Click();

        snackbar.WaitForAssertion(() => Assert.Contains("The browser refused clipboard access", snackbar.Markup));
    }

    [Fact]
    public async Task Local_time_shows_the_browser_time_zone_with_utc_in_the_tooltip_and_follows_a_change()
    {
        Services.AddScoped<BrowserTimeZone>();
        var at = new DateTimeOffset(2026, 12, 5, 18, 30, 0, TimeSpan.Zero);

        var time = Render<LocalTime>(p => p.Add(t => t.Value, at));
        Assert.Equal("2026-12-05 18:30", time.Find("span").TextContent);
        Assert.Equal("2026-12-05 18:30:00 UTC", time.Find("span").GetAttribute("title"));

        JSInterop.Setup<string>("rotationDashboard.timeZone").SetResult("Asia/Tokyo");
        await time.InvokeAsync(() => Services.GetRequiredService<BrowserTimeZone>().InitializeAsync(JSInterop.JSRuntime));

        time.WaitForAssertion(() => Assert.Equal("2026-12-06 03:30", time.Find("span").TextContent));
    }

    [Fact]
    public void The_not_found_content_links_back_to_the_dashboard()
    {
        var content = Render<NotFoundContent>();

        Assert.Contains("Page not found", content.Find("h2").TextContent);
        Assert.Equal("", content.Find("a").GetAttribute("href"));
    }

    [Fact]
    public void Redirect_to_sign_in_keeps_the_page_to_come_back_to()
    {
        var navigation = Services.GetRequiredService<BunitNavigationManager>();
        navigation.NavigateTo("rotations?status=failed");

        Render<RedirectToSignIn>();

        Assert.Equal("http://localhost/account/signin?returnUrl=%2Frotations%3Fstatus%3Dfailed", navigation.Uri);
    }
}
