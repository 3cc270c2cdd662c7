using RotationDashboard.Testing;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Core.Audit;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Audit;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Security;

[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class SignInTests : IClassFixture<DashboardAppFactory>
{
    private readonly DashboardAppFactory _app;
    private readonly Uri _address;

    public SignInTests(DashboardAppFactory app)
    {
        _app = app;
        _app.Settings["Authentication:AllowedEmailDomains:0"] = "sandbox.test";
        _address = _app.StartKestrel();
    }

    [Fact]
    public async Task Anonymous_page_request_is_redirected_to_sign_in()
    {
        using var client = _app.CreateClient(new() { AllowAutoRedirect = false });
        var response = await client.GetAsync("/rotations");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/signin", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Anonymous_api_request_gets_401_not_a_redirect()
    {
        using var client = _app.CreateClient(new() { AllowAutoRedirect = false });
        var response = await client.GetAsync("/api/v1/projects");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Health_endpoint_needs_no_sign_in()
    {
        using var client = _app.CreateClient(new() { AllowAutoRedirect = false });
        var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Admin_signs_in_through_the_sandbox_and_sees_name_and_role()
    {
        using var client = await SandboxSignIn.CreateSignedInClientAsync(_address, SandboxSignIn.Admin);
        var html = await client.GetStringAsync("");

        Assert.Contains("Ada", html);
        Assert.Contains(">Admin<", html);
    }

    [Fact]
    public async Task Everyone_else_is_a_viewer()
    {
        using var client = await SandboxSignIn.CreateSignedInClientAsync(_address, SandboxSignIn.Viewer);
        var html = await client.GetStringAsync("");

        Assert.Contains(">Viewer<", html);
    }

    [Fact]
    public async Task A_user_outside_the_allowed_email_domains_is_refused_with_a_clear_page()
    {
        var (client, final) = await SandboxSignIn.SignInOverHttpAsync(_address, SandboxSignIn.Outsider);
        using var _ = client;
        var html = await final.Content.ReadAsStringAsync();

        Assert.Equal("/account/access-denied", final.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("e-mail domain is not allowed", WebUtility.HtmlDecode(html));

        // No session was created: the dashboard still sends the user to sign in.
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _address };
        Assert.Equal(HttpStatusCode.Redirect, (await noRedirect.GetAsync("")).StatusCode);
    }

    [Fact]
    public async Task An_unverified_email_address_is_refused_and_sign_ins_and_sign_outs_are_audited()
    {
        var (refusedClient, refused) = await SandboxSignIn.SignInOverHttpAsync(_address, SandboxSignIn.Unverified);
        refusedClient.Dispose();
        Assert.Equal("/account/access-denied", refused.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("e-mail address is not verified", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()));

        using var client = await SandboxSignIn.CreateSignedInClientAsync(_address, SandboxSignIn.Viewer);
        using var signOut = await client.PostAsync(AuthenticationSetup.SignOutPath, null);

        var audit = await _app.AppServices.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { Action = "session.", Take = 50 });
        var entries = audit.Items.Select(e => (e.Actor, e.Action, e.Outcome)).ToList();
        // An unverified address names nobody: the refusal is recorded under the identity provider's subject.
        Assert.Contains(($"user:{SandboxSeed.UmaUnverifiedSub}", AuditActions.SignIn, AuditOutcome.Denied), entries);
        Assert.DoesNotContain(entries, e => e.Actor == $"user:{SandboxSignIn.Unverified}");
        Assert.Contains(($"user:{SandboxSignIn.Viewer}", AuditActions.SignIn, AuditOutcome.Success), entries);
        Assert.Contains(($"user:{SandboxSignIn.Viewer}", AuditActions.SignOut, AuditOutcome.Success), entries);
    }

    [Theory]
    [InlineData("Your account was suspended. Call +1 555 0100 to restore it", "Sign-in failed. Please try again.")]
    [InlineData("<b>Phishing</b>", "Sign-in failed. Please try again.")]
    [InlineData("email-domain-not-allowed", "Your e-mail domain is not allowed to use this dashboard.")]
    [InlineData("", "You do not have permission to do that.")]
    public async Task The_access_denied_page_shows_fixed_texts_for_reason_codes_never_the_query(string reason, string shown)
    {
        using var client = _app.CreateClient(new() { AllowAutoRedirect = false });

        var html = WebUtility.HtmlDecode(await client.GetStringAsync($"account/access-denied?reason={Uri.EscapeDataString(reason)}"));

        Assert.Contains(shown, html);
        if (reason.Length > 0 && reason != "email-domain-not-allowed")
        {
            Assert.DoesNotContain(reason, html);
            Assert.DoesNotContain("Phishing", html);
            Assert.DoesNotContain("555 0100", html);
        }
    }
}
