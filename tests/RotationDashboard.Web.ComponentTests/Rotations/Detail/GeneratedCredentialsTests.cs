using RotationDashboard.Core.Common;
using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Rotations.Detail;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.ComponentTests.Rotations.Detail;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class GeneratedCredentialsTests : DetailTestContext
{
    [Fact]
    public void Slots_are_masked_until_revealed_and_no_value_is_in_the_markup()
    {
        SignInAdmin();
        var rotation = DetailData.Rotation();
        Reads.Slots = DetailData.Slots(rotation.Id, revealed: false);

        var credentials = Render(rotation, isAdmin: true);

        Assert.Equal(["Current", "Previous"], credentials.FindAll("[data-testid=credential-slot]").Select(s => s.GetAttribute("data-stage")));
        Assert.Equal(2, credentials.FindAll("[data-testid=credential-masked]").Count);
        Assert.Contains("No longer valid", credentials.Find("[data-stage=Previous] [data-testid=credential-validity]").TextContent);
        Assert.DoesNotContain("secret-value", credentials.Markup);
        Assert.Empty(Reveal.Calls);
        Assert.Contains("Every reveal is recorded in the audit log.", credentials.Markup);
    }

    [Fact]
    public void Reveal_asks_the_audited_use_case_shows_the_values_and_hide_masks_them_again()
    {
        SignInAdmin();
        var rotation = DetailData.Rotation();
        Reads.Slots = DetailData.Slots(rotation.Id, revealed: false);
        Reveal.Answer = () => OperationResult.Success(DetailData.Slots(rotation.Id, revealed: true));
        var credentials = Render(rotation, isAdmin: true);

        credentials.Find("[data-testid=reveal-credentials]").Click();

        Assert.True(Assert.Single(Reveal.Calls).IsAdmin);
        Assert.Equal("current-secret-value", credentials.Find("[data-testid=credential-secret-Current]").TextContent);
        Assert.Equal("previous-secret-value", credentials.Find("[data-testid=credential-secret-Previous]").TextContent);
        Assert.Empty(credentials.FindAll("[data-testid=credential-masked]"));

        credentials.Find("[data-testid=hide-credentials]").Click();

        Assert.DoesNotContain("secret-value", credentials.Markup);
        Assert.Equal(2, credentials.FindAll("[data-testid=credential-masked]").Count);
    }

    [Fact]
    public void A_viewer_gets_no_reveal_button_only_the_masked_slots()
    {
        SignInViewer();
        var rotation = DetailData.Rotation();
        Reads.Slots = DetailData.Slots(rotation.Id, revealed: false);

        var credentials = Render(rotation, isAdmin: false);

        Assert.Empty(credentials.FindAll("[data-testid=reveal-credentials]"));
        Assert.Contains("Only an Admin can reveal generated credentials.", credentials.Markup);
        Assert.Equal(2, credentials.FindAll("[data-testid=credential-masked]").Count);
    }

    [Fact]
    public void A_refused_reveal_shows_why_and_keeps_the_values_masked()
    {
        SignInAdmin();
        var rotation = DetailData.Rotation();
        Reads.Slots = DetailData.Slots(rotation.Id, revealed: false);
        Reveal.Answer = () => throw new ForbiddenActionException("Only an Admin may reveal generated credentials.");
        var credentials = Render(rotation, isAdmin: true);

        credentials.Find("[data-testid=reveal-credentials]").Click();

        Assert.Equal("Only an Admin may reveal generated credentials.", credentials.Find("[data-testid=credentials-error]").TextContent.Trim());
        Assert.Equal(2, credentials.FindAll("[data-testid=credential-masked]").Count);
    }

    [Fact]
    public void Before_the_slots_are_read_only_the_masked_current_credential_shows_and_an_empty_reveal_says_nothing_was_generated()
    {
        SignInAdmin();
        var rotation = DetailData.Rotation();
        Reveal.Answer = () => OperationResult.Success(new GeneratedCredentialsView(rotation.Id, "auth0-client-secret", 0, [], null));
        var credentials = Render(rotation, isAdmin: true);
        Assert.Single(credentials.FindAll("[data-testid=credential-masked]"));
        Assert.Contains("client-123", credentials.Markup);

        credentials.Find("[data-testid=reveal-credentials]").Click();

        Assert.Equal("Nothing has been generated yet.", credentials.Find("[data-testid=credentials-empty]").TextContent);
    }

    private IRenderedComponent<GeneratedCredentials> Render(RotationView rotation, bool isAdmin) =>
        Render<GeneratedCredentials>(p => p.Add(x => x.Rotation, rotation).Add(x => x.IsAdmin, isAdmin));
}
