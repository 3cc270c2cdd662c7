using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Testing;
using RotationDashboard.Web.Application.Preferences;
using RotationDashboard.Web.ComponentTests.Infrastructure;
using RotationDashboard.Web.Components.Layout;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.ComponentTests.Layout;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class ThemeModeToggleTests : ComponentTestContext
{
    private readonly FakeThemePreferences _preferences = new();
    private bool? _raised;

    public ThemeModeToggleTests()
    {
        Services.AddLogging();
        Services.AddSingleton<IThemePreferences>(_preferences);
    }

    [Fact]
    public void A_stored_dark_choice_applies_before_the_first_paint_and_the_system_is_not_asked()
    {
        SignIn("Ada Admin", DashboardRoles.Admin);
        _preferences.Stored["Ada Admin"] = true;
        var asked = false;

        var toggle = RenderToggle(() => { asked = true; return Task.FromResult(false); });

        Assert.True(_raised);
        Assert.Equal("Switch to light mode", toggle.Find("[data-testid=theme-toggle]").GetAttribute("aria-label"));
        Assert.False(asked);
    }

    [Fact]
    public void Without_a_stored_choice_the_system_preference_applies()
    {
        SignIn("Ada Admin", DashboardRoles.Admin);

        var toggle = RenderToggle(() => Task.FromResult(true));

        toggle.WaitForAssertion(() => Assert.True(_raised));
        Assert.Empty(_preferences.Saved);
    }

    [Fact]
    public void Toggling_switches_the_mode_and_remembers_it_for_the_signed_in_user()
    {
        SignIn("Vera Viewer", DashboardRoles.Viewer);
        var toggle = RenderToggle(() => Task.FromResult(false));

        toggle.Find("[data-testid=theme-toggle]").Click();

        Assert.True(_raised);
        Assert.Equal([("Vera Viewer", true)], _preferences.Saved);
        Assert.Equal("dark", toggle.Find("[data-testid=theme-toggle]").GetAttribute("data-mode"));

        toggle.Find("[data-testid=theme-toggle]").Click();
        Assert.Equal([("Vera Viewer", true), ("Vera Viewer", false)], _preferences.Saved);
        Assert.False(_raised);
    }

    [Fact]
    public void A_failed_read_keeps_the_page_working_in_light_mode()
    {
        SignIn("Ada Admin", DashboardRoles.Admin);
        _preferences.Failure = new InvalidOperationException("database is locked");

        var toggle = RenderToggle(null);

        Assert.Null(_raised);
        Assert.Equal("Switch to dark mode", toggle.Find("[data-testid=theme-toggle]").GetAttribute("aria-label"));
    }

    private IRenderedComponent<ThemeModeToggle> RenderToggle(Func<Task<bool>>? system) =>
        Render<ThemeModeToggle>(p => p
            .Add(t => t.IsDarkModeChanged, dark => _raised = dark)
            .Add(t => t.SystemDarkMode, system));

    private sealed class FakeThemePreferences : IThemePreferences
    {
        public Dictionary<string, bool> Stored { get; } = [];

        public List<(string User, bool Dark)> Saved { get; } = [];

        public Exception? Failure { get; set; }

        public Task<bool?> GetDarkModeAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
            Failure is not null ? Task.FromException<bool?>(Failure)
            : Task.FromResult(Stored.TryGetValue(user.Identity?.Name ?? "", out var dark) ? dark : (bool?)null);

        public Task SaveDarkModeAsync(ClaimsPrincipal user, bool darkMode, CancellationToken cancellationToken = default)
        {
            Saved.Add((user.Identity!.Name!, darkMode));
            return Task.CompletedTask;
        }
    }
}
