using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using RotationDashboard.Testing;
using RotationDashboard.Web.ComponentTests.Infrastructure;
using RotationDashboard.Web.Components.Settings;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Security.Sessions;

namespace RotationDashboard.Web.ComponentTests.Settings;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class SessionsPanelTests : ComponentTestContext
{
    private readonly FakeSessions _sessions = new();

    public SessionsPanelTests()
    {
        Services.AddAdminPageServices();
        Services.AddSingleton<ISessionAdministration>(_sessions);
        SignIn("Ada Admin", DashboardRoles.Admin);
    }

    [Fact]
    public void Without_sessions_the_panel_says_nobody_is_signed_in()
    {
        var panel = Render<SessionsPanel>();

        Assert.Contains("Nobody is signed in.", panel.Find("[data-testid=sessions-empty]").TextContent);
    }

    [Fact]
    public void Revoking_a_session_asks_first_then_the_session_leaves_the_list()
    {
        var session = FakeSessions.View("Bob");
        _sessions.Sessions.Add(session);
        var dialogs = Render<MudDialogProvider>();
        var panel = Render<SessionsPanel>();
        Assert.NotNull(panel.Find("[data-testid=session-row-Bob]"));

        panel.Find("[data-testid=revoke-session]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Sign Bob out of this session?", dialogs.Markup));
        dialogs.Button("Revoke").Click();

        panel.WaitForAssertion(() => Assert.Contains("Nobody is signed in.", panel.Markup));
        Assert.Equal([session.Id], _sessions.Revoked);
    }
}
