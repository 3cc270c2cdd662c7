using AngleSharp.Dom;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Rotations;
using RotationDashboard.Web.Components.Rotations.Wizard;

namespace RotationDashboard.Web.ComponentTests.Rotations.Wizard;

/// <summary>
/// Each step of the creation wizard: its fields are checked with the domain's rules as the user types, Next stays
/// disabled with the reason beside it until the step is valid, and the database checks on Next put their messages on
/// the field they concern.
/// </summary>
[Trait(TestKind.Trait, TestKind.Component)]
public sealed class RotationWizardTests : WizardTestContext
{
    private const string OrdersClientId = "orders-worker-client";
    private const string LedgerClientId = "ledger-sync-client";

    public RotationWizardTests()
    {
        Applications.Applications.Add(App("Orders worker", OrdersClientId));
        Applications.Applications.Add(App("Ledger sync", LedgerClientId, authMethod: "private_key_jwt"));
    }

    [Fact]
    public void The_connection_step_names_what_is_missing_refuses_a_connection_whose_test_failed_and_accepts_a_working_one()
    {
        Backend.Connections.Add(FakeWizardBackend.Connection("broken-tenant", tested: false, message: "Unauthorized."));
        Backend.Connections.Add(FakeWizardBackend.Connection("sandbox"));
        var wizard = Render<RotationWizard>();

        AssertNextBlocked(wizard, "Pick the connection");
        Choice(wizard, "broken-tenant").Click();
        Assert.Contains("last test failed", wizard.Find("[data-testid=field-error-connectionId]").TextContent);
        AssertNextBlocked(wizard, "last test failed");
        Assert.Equal("true", Choice(wizard, "broken-tenant").GetAttribute("aria-checked"));

        Choice(wizard, "sandbox").Click();

        AssertNextEnabled(wizard);
        Assert.Empty(wizard.FindAll("[data-testid=field-error-connectionId]"));
    }

    [Fact]
    public void The_interval_is_checked_as_the_user_types_and_Next_says_why_it_is_disabled()
    {
        var wizard = RenderAt(RotationWizardModel.IntervalStep);
        var interval = wizard.Find("input[data-testid=wizard-interval]");

        interval.Input("0");

        Assert.Contains("at least 1 day", Step(wizard, 1).QuerySelector("[data-testid=field-error]")!.TextContent);
        AssertNextBlocked(wizard, "at least 1 day");
        Assert.Equal("rotationInterval-message", wizard.Find("input[data-testid=wizard-interval]").GetAttribute("aria-describedby"));

        wizard.Find("input[data-testid=wizard-interval]").Input("400");
        Assert.Contains("at most 365 days", Step(wizard, 1).QuerySelector("[data-testid=field-error]")!.TextContent);

        wizard.Find("input[data-testid=wizard-interval]").Input("14");
        Assert.Null(Step(wizard, 1).QuerySelector("[data-testid=field-error]"));
        AssertNextEnabled(wizard);
        ClickNext(wizard, expect: 2);
    }

    [Fact]
    public async Task Rotate_at_is_typed_in_local_time_and_shows_its_UTC_equivalent()
    {
        await UseBrowserTimeZoneAsync();
        var wizard = RenderAt(RotationWizardModel.ScheduleStep);
        Assert.Contains("your time, Asia/", wizard.Find("label[for]").TextContent + Step(wizard, 2).TextContent);

        wizard.Find("input[data-testid=wizard-rotate-at]").Input("07:30");
        Assert.Equal("= 02:00 UTC, stored in UTC.", wizard.Find("[data-testid=wizard-rotate-at-utc]").TextContent); // UTC+5:30

        wizard.Find("input[data-testid=wizard-rotate-at]").Input("25:00");
        Assert.Contains("HH:mm", Step(wizard, 2).QuerySelector("[data-testid=field-error]")!.TextContent);
        AssertNextBlocked(wizard, "HH:mm");

        wizard.Find("input[data-testid=wizard-rotate-at]").Input("23:15");
        Assert.Equal("= 17:45 UTC, stored in UTC.", wizard.Find("[data-testid=wizard-rotate-at-utc]").TextContent);
        AssertNextEnabled(wizard);
    }

    [Fact]
    public void Single_phase_turns_auto_rotation_off_and_warns_once_it_is_turned_back_on()
    {
        var wizard = RenderAt(RotationWizardModel.ScheduleStep);
        Assert.Empty(wizard.FindAll("[data-testid=single-phase-warning]"));

        wizard.Find("[data-testid=wizard-strategy-SinglePhase]").Click();

        Assert.Equal("true", wizard.Find("[data-testid=wizard-strategy-SinglePhase]").GetAttribute("aria-checked"));
        Assert.False(wizard.Find("input[data-testid=wizard-auto-rotation]").IsChecked());
        Assert.Empty(wizard.FindAll("[data-testid=single-phase-warning]"));

        wizard.Find("input[data-testid=wizard-auto-rotation]").Change(true);

        Assert.Contains("breaks the services", wizard.Find("[data-testid=single-phase-warning]").TextContent);
        AssertNextEnabled(wizard); // a warning, not an error

        wizard.Find("[data-testid=wizard-strategy-Staged]").Click();
        Assert.Empty(wizard.FindAll("[data-testid=single-phase-warning]"));
    }

    [Fact]
    public void A_lead_time_over_seven_days_blocks_the_schedule_step()
    {
        var wizard = RenderAt(RotationWizardModel.ScheduleStep);

        wizard.Find("input[data-testid=wizard-lead-time]").Input("20000");

        Assert.Contains("at most 7 days", Step(wizard, 2).QuerySelector("[data-testid=field-error]")!.TextContent);
        AssertNextBlocked(wizard, "at most 7 days");
    }

    [Fact]
    public void The_application_step_refuses_an_application_without_a_client_secret_and_takes_one_with_it()
    {
        var wizard = RenderAt(RotationWizardModel.ApplicationStep);
        AssertNextBlocked(wizard, "Pick the application");

        Pick(wizard, "Ledger sync");
        Assert.Contains("no client secret to rotate", wizard.Find("[data-testid=field-error-parameters\\.clientId]").TextContent);
        AssertNextBlocked(wizard, "no client secret to rotate");

        Pick(wizard, "Orders worker");
        Assert.Contains("Orders worker", wizard.Find("[data-testid=wizard-picked-application]").TextContent);
        AssertNextEnabled(wizard);
    }

    [Fact]
    public void Secret_names_are_checked_as_typed_and_names_taken_in_the_folder_are_refused_on_Next()
    {
        Backend.TakenNames.Add("ORDERS_CLIENT_SECRET");
        var wizard = RenderAt(RotationWizardModel.MappingStep);

        wizard.Find("input[data-testid=wizard-map-client-id]").Input("ORDERS:CLIENT_ID");
        Assert.NotNull(Step(wizard, 4).QuerySelector("[data-testid=field-error]"));
        AssertNextBlocked(wizard, null);

        wizard.Find("input[data-testid=wizard-map-client-id]").Input("ORDERS_CLIENT_ID");
        wizard.Find("input[data-testid=wizard-map-client-secret]").Input("ORDERS_CLIENT_SECRET");
        AssertNextEnabled(wizard);
        wizard.Find("[data-testid=wizard-next]").Click();

        Assert.Contains("already exist at the path \"/\": ORDERS_CLIENT_SECRET", wizard.Find("[data-testid=field-error-secretsMapping]").TextContent);
        Assert.NotNull(Step(wizard, 4)); // still on the mapping step
        AssertNextBlocked(wizard, "ORDERS_CLIENT_SECRET");

        wizard.Find("input[data-testid=wizard-map-client-secret]").Input("ORDERS_AUTH0_SECRET");
        Assert.Empty(wizard.FindAll("[data-testid=field-error-secretsMapping]"));
        ClickNext(wizard, expect: 5);
    }

    [Fact]
    public void The_name_gets_live_feedback_and_a_name_used_in_the_folder_is_refused_on_Next()
    {
        Backend.TakenRotationNames.Add("orders-worker");
        var wizard = RenderAt(RotationWizardModel.DetailsStep);
        AssertNextBlocked(wizard, null);

        wizard.Find("input[data-testid=wizard-name]").Input("Orders Worker");
        Assert.Contains("lowercase letters, numbers, and hyphens", Step(wizard, 5).QuerySelector("[data-testid=field-error]")!.TextContent);
        Assert.Empty(wizard.FindAll("[data-testid=wizard-name-ok]"));

        wizard.Find("input[data-testid=wizard-name]").Input("orders-worker");
        Assert.NotNull(wizard.Find("[data-testid=wizard-name-ok]"));
        wizard.Find("[data-testid=wizard-next]").Click();
        Assert.Contains("already exists", Step(wizard, 5).QuerySelector("[data-testid=field-error]")!.TextContent);

        wizard.Find("input[data-testid=wizard-name]").Input("orders-worker-2");
        ClickNext(wizard, expect: 6);
    }

    [Fact]
    public async Task The_review_shows_every_choice_and_Create_shows_the_first_issuance_steps_on_it()
    {
        await UseBrowserTimeZoneAsync();
        var wizard = RenderAt(RotationWizardModel.ScheduleStep);
        wizard.Find("input[data-testid=wizard-rotate-at]").Input("07:30");
        ClickNext(wizard, expect: 3);
        Pick(wizard, "Orders worker");
        ClickNext(wizard, expect: 4);
        ClickNext(wizard, expect: 5);
        wizard.Find("input[data-testid=wizard-name]").Input("orders-worker");
        ClickNext(wizard, expect: 6);

        Assert.Equal("30 days", wizard.Find("[data-testid=review-interval]").TextContent);
        Assert.Matches(@"^07:30 Asia/(Kolkata|Calcutta) \(02:00 UTC\)$", wizard.Find("[data-testid=review-rotate-at]").TextContent.Trim());
        Assert.Equal("Staged", wizard.Find("[data-testid=review-strategy]").TextContent);
        Assert.Equal(OrdersClientId, wizard.Find("[data-testid=review-client-id]").TextContent);
        Assert.Equal("AUTH0_CLIENT_SECRET", wizard.Find("[data-testid=review-map-clientSecret]").TextContent);
        Assert.Equal("orders-worker", wizard.Find("[data-testid=review-name]").TextContent);
        Assert.Empty(wizard.FindAll("[data-testid=wizard-next]"));
        Assert.Empty(wizard.FindAll("[data-testid=wizard-blocker]"));

        wizard.Find("[data-testid=wizard-submit]").Click();

        wizard.WaitForAssertion(() => Assert.Equal("succeeded", wizard.Find("[data-testid=wizard-result]").GetAttribute("data-outcome")));
        var steps = wizard.Find("[data-testid=wizard-progress]").QuerySelectorAll("[data-testid=run-step]");
        Assert.Equal(5, steps.Length);
        Assert.All(steps, s => Assert.Equal("Succeeded", s.GetAttribute("data-status")));
        Assert.NotNull(wizard.Find("[data-testid=wizard-open-rotation]"));
        Assert.Equal(new RotateAtUtc(2, 0), Backend.Created!.Settings.RotateAtUtc);
        Assert.Equal(OrdersClientId, Backend.Created.Settings.Parameters.ClientId);
    }

    [Fact]
    public void Steps_not_reached_yet_cannot_be_entered_from_their_header_and_Back_keeps_what_was_entered()
    {
        var wizard = RenderAt(RotationWizardModel.IntervalStep);
        var review = wizard.FindAll("button[role=tab]").Single(t => t.TextContent.Contains("Review"));
        Assert.True(review.HasAttribute("disabled"));

        wizard.Find("input[data-testid=wizard-interval]").Input("14");
        wizard.Find("[data-testid=wizard-back]").Click();
        Assert.NotNull(Step(wizard, 0));
        ClickNext(wizard, expect: 1);
        Assert.Equal("14", wizard.Find("input[data-testid=wizard-interval]").GetAttribute("value"));
    }

    [Fact]
    public void The_wizard_has_no_form_element_so_Enter_in_a_field_never_submits_it()
    {
        var wizard = RenderAt(RotationWizardModel.DetailsStep);

        Assert.Empty(wizard.FindAll("form"));
        wizard.Find("input[data-testid=wizard-name]").KeyDown("Enter");
        Assert.NotNull(Step(wizard, 5));
        Assert.Null(Backend.Created);
        Assert.All(wizard.FindAll("input, textarea"), input => Assert.True(
            input.GetAttribute("aria-label") is not null || input.Closest("label") is not null
            || (input.Id is { Length: > 0 } id && wizard.FindAll($"label[for='{id}']").Count > 0),
            $"no label for {input.OuterHtml}"));
    }

    // ---- Helpers ---------------------------------------------------------------------------------------

    /// <summary>Renders the wizard over one working connection (picked for the user) and walks to <paramref name="step"/> with valid defaults.</summary>
    private IRenderedComponent<RotationWizard> RenderAt(int step)
    {
        Backend.Connections.Add(FakeWizardBackend.Connection("sandbox"));
        var wizard = Render<RotationWizard>();
        for (var current = 0; current < step; current++)
        {
            if (current == RotationWizardModel.ApplicationStep) Pick(wizard, "Orders worker");
            if (current == RotationWizardModel.DetailsStep) wizard.Find("input[data-testid=wizard-name]").Input("orders-worker");
            ClickNext(wizard, expect: current + 1);
        }

        return wizard;
    }

    private static IElement Step(IRenderedComponent<RotationWizard> wizard, int index) => wizard.Find($"[data-testid=wizard-step-{index}]");

    private static IElement Choice(IRenderedComponent<RotationWizard> wizard, string connection) =>
        wizard.Find($"[data-testid=wizard-connection][data-connection={connection}]");

    private static void Pick(IRenderedComponent<RotationWizard> wizard, string application) =>
        wizard.WaitForElement($"button[aria-label='Select {application}']").Click();

    private static void ClickNext(IRenderedComponent<RotationWizard> wizard, int expect)
    {
        wizard.Find("[data-testid=wizard-next]").Click();
        wizard.WaitForAssertion(() => Assert.NotNull(wizard.Find($"[data-testid=wizard-step-{expect}]")));
    }

    private static void AssertNextBlocked(IRenderedComponent<RotationWizard> wizard, string? reason)
    {
        Assert.True(wizard.Find("[data-testid=wizard-next]").HasAttribute("disabled"), "Next should be disabled");
        var blocker = wizard.Find("[data-testid=wizard-blocker]").TextContent;
        Assert.False(string.IsNullOrWhiteSpace(blocker));
        if (reason is not null) Assert.Contains(reason, blocker);
    }

    private static void AssertNextEnabled(IRenderedComponent<RotationWizard> wizard)
    {
        Assert.False(wizard.Find("[data-testid=wizard-next]").HasAttribute("disabled"), "Next should be enabled");
        Assert.Empty(wizard.FindAll("[data-testid=wizard-blocker]"));
    }
}
