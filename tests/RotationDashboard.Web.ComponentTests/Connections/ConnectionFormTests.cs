using AngleSharp.Dom;
using RotationDashboard.Core.Common;
using RotationDashboard.Sandbox;
using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Connections;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.ComponentTests.Connections;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class ConnectionFormTests : ConnectionComponentTest
{
    public ConnectionFormTests() => SignInAdmin();

    [Fact]
    public void A_new_form_shows_hints_and_no_errors_before_anything_is_typed()
    {
        var form = Render<ConnectionForm>();

        Assert.Empty(form.FindAll("[data-testid=field-error]"));
        Assert.Contains("Lowercase letters, digits and single hyphens", form.Markup);
        Assert.Contains("Stored encrypted; never shown again.", form.Markup);
        Assert.Equal("Create connection", form.Find("[data-testid=save-connection]").TextContent.Trim());
        Assert.Equal("password", Input(form, "field-client-secret").GetAttribute("type"));
    }

    [Fact]
    public void The_name_is_checked_as_the_user_types_and_the_error_goes_once_it_is_fixed()
    {
        var form = Render<ConnectionForm>();

        Input(form, "field-name").Input("Production Tenant");

        var error = form.WaitForElement("[data-testid=field-error]");
        Assert.Contains("Name", error.TextContent);
        Assert.Equal("alert", error.GetAttribute("role"));
        Assert.Single(form.FindAll("[data-testid=field-error]")); // untouched fields stay quiet

        Input(form, "field-name").Input("production-tenant");

        form.WaitForAssertion(() => Assert.Empty(form.FindAll("[data-testid=field-error]")));
    }

    [Fact]
    public void The_domain_is_checked_as_the_user_types_and_the_audience_hint_follows_it()
    {
        var form = Render<ConnectionForm>();

        Input(form, "field-domain").Input("not a domain");
        form.WaitForElement("[data-testid=field-error]");

        Input(form, "field-domain").Input("acme.eu.auth0.com");

        form.WaitForAssertion(() => Assert.Empty(form.FindAll("[data-testid=field-error]")));
        Assert.Contains("Leave empty for https://acme.eu.auth0.com/api/v2/", form.Markup);
    }

    [Fact]
    public void Saving_an_empty_form_saves_nothing_and_marks_every_field()
    {
        Fake.Save = input => OperationResult<ConnectionView>.Invalid(
            new ValidationErrors().Add("name", "Name is required.").Add("clientId", "Client ID is required."));
        var form = Render<ConnectionForm>();

        form.Find("[data-testid=save-connection]").Click();

        form.WaitForAssertion(() => Assert.Equal("Please correct the highlighted fields. Nothing was saved.", form.Find("[data-testid=form-error]").TextContent));
        var errors = form.FindAll("[data-testid=field-error]").Select(e => e.TextContent.Trim()).ToList();
        Assert.Contains("Name is required.", errors);
        Assert.Contains("Client ID is required.", errors);
        Assert.Contains("Client secret is required.", errors); // the live rules speak for the fields the server did not mention
    }

    [Fact]
    public void A_refusal_from_Auth0_stays_on_its_field_until_the_field_changes()
    {
        Fake.Save = _ => OperationResult<ConnectionView>.Invalid("clientSecret", "Not saved: Auth0 rejected the client ID or secret (401).");
        var form = Render<ConnectionForm>();
        Fill(form, name: "acme", domain: "acme.eu.auth0.com", clientId: "m2m", secret: "wrong-secret");

        form.Find("[data-testid=save-connection]").Click();

        form.WaitForAssertion(() => Assert.Equal("Not saved: Auth0 rejected the client ID or secret (401).",
            form.Find("[data-testid=field-error]").TextContent.Trim()));

        Input(form, "field-client-secret").Input("the-right-secret");

        form.WaitForAssertion(() => Assert.Empty(form.FindAll("[data-testid=field-error]")));
        Assert.Contains("create", Fake.Calls);
    }

    [Fact]
    public void Test_connection_tries_the_typed_settings_and_shows_the_result_without_saving()
    {
        Fake.TestDraft = _ => OperationResult.Success(FakeConnectionUseCases.Result(ok: true, missing: FakeConnectionUseCases.JwtScopesMissing));
        var form = Render<ConnectionForm>();
        Fill(form, name: "acme", domain: "acme.eu.auth0.com", clientId: "m2m", secret: "s3cret-value");

        form.Find("[data-testid=test-connection]").Click();

        form.WaitForAssertion(() => Assert.Equal("true", form.Find("[data-testid=test-result]").GetAttribute("data-ok")));
        var draft = Assert.Single(Fake.Drafts);
        Assert.Equal(new ConnectionInput("acme", "acme.eu.auth0.com", "m2m", "s3cret-value", null, false), draft);
        Assert.DoesNotContain("create", Fake.Calls);
    }

    [Fact]
    public void Saving_settings_just_tested_records_the_verdict_and_reports_the_saved_connection()
    {
        ConnectionView? saved = null;
        var form = Render<ConnectionForm>(p => p.Add(f => f.OnSaved, (ConnectionView c) => saved = c));
        Fill(form, name: "acme", domain: "acme.eu.auth0.com", clientId: "m2m", secret: "s3cret-value");
        form.Find("[data-testid=test-connection]").Click();
        form.WaitForElement("[data-testid=test-result]");

        form.Find("[data-testid=save-connection]").Click();

        form.WaitForAssertion(() => Assert.NotNull(saved));
        Assert.Equal("acme", saved!.Name);
        Assert.Equal(["test draft", "create"], Fake.Calls.Take(2));
        Assert.Contains(Fake.Calls, c => c.StartsWith("validate", StringComparison.Ordinal));
    }

    [Fact]
    public void The_sandbox_switch_fills_the_sandbox_address_hides_the_audience_and_offers_its_credentials()
    {
        var form = Render<ConnectionForm>();
        Assert.NotEmpty(form.FindAll("[data-testid=field-audience]"));

        form.Find("[data-testid=field-sandbox]").Change(true);

        form.WaitForAssertion(() => Assert.EndsWith("/sandbox-tenant", Input(form, "field-domain").GetAttribute("value")));
        Assert.True(Input(form, "field-domain").HasAttribute("readonly"));
        Assert.Empty(form.FindAll("[data-testid=field-audience]"));

        form.Find("[data-testid=fill-sandbox-credentials]").Click();

        form.WaitForAssertion(() => Assert.Equal(SandboxSeed.DashboardClientId, Input(form, "field-client-id").GetAttribute("value")));
    }

    [Fact]
    public void Editing_keeps_the_stored_secret_unless_a_new_one_is_typed()
    {
        var existing = FakeConnectionUseCases.View("production-tenant", lastOk: true);
        Fake.Connections.Add(existing);
        var form = Render<ConnectionForm>(p => p.Add(f => f.Existing, existing));
        Assert.Equal("production-tenant", Input(form, "field-name").GetAttribute("value"));
        Assert.Equal("Save changes", form.Find("[data-testid=save-connection]").TextContent.Trim());
        Assert.Contains("Leave empty to keep the stored secret.", form.Markup);

        form.Find("[data-testid=save-connection]").Click();

        form.WaitForAssertion(() => Assert.NotNull(Fake.LastPatch));
        Assert.Null(Fake.LastPatch!.ClientSecret);
        Assert.Equal("production-tenant", Fake.LastPatch.Name);
    }

    [Fact]
    public void A_viewer_who_reaches_the_form_is_told_the_action_is_not_theirs()
    {
        SignInViewer();
        var form = Render<ConnectionForm>();
        Fake.Save = _ => throw new Web.Security.ForbiddenActionException("Only an Admin may create connections.");

        form.Find("[data-testid=save-connection]").Click();

        form.WaitForAssertion(() => Assert.Equal("Only an Admin may create connections.", form.Find("[data-testid=form-error]").TextContent));
    }

    // MudBlazor puts the test id on the input element itself.
    private static IElement Input(IRenderedComponent<ConnectionForm> form, string testId) => form.Find($"input[data-testid={testId}]");

    private static void Fill(IRenderedComponent<ConnectionForm> form, string name, string domain, string clientId, string secret)
    {
        Input(form, "field-name").Input(name);
        Input(form, "field-domain").Input(domain);
        Input(form, "field-client-id").Input(clientId);
        Input(form, "field-client-secret").Input(secret);
    }
}
