using RotationDashboard.Testing;
using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Core.Audit;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Audit;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Security;

/// <summary>The OpenID Connect sign-in against the sandbox tenant, end to end over real HTTP.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class OpenIdConnectSignInTests : IClassFixture<DashboardAppFactory>
{
    private readonly DashboardAppFactory _app;
    private readonly Uri _address;

    public OpenIdConnectSignInTests(DashboardAppFactory app)
    {
        _app = app;
        _address = _app.StartKestrel();
    }

    private SandboxTenant Sandbox => _app.AppServices.GetRequiredService<SandboxTenant>();

    [Fact]
    public async Task Sign_in_asks_for_a_code_with_pkce_nonce_and_openid_scopes_at_the_address_the_browser_used()
    {
        // The browser reached the app as localhost; the server itself calls the sandbox on 127.0.0.1.
        var browserAddress = new UriBuilder(_address) { Host = "localhost" }.Uri;
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = browserAddress };

        using var challenge = await client.GetAsync("account/signin?returnUrl=%2F");

        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = challenge.Headers.Location!;
        Assert.Equal(new Uri(browserAddress, "sandbox-tenant/authorize").AbsoluteUri, authorize.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(authorize.Query);
        Assert.Equal("code", query["response_type"].ToString());
        // Query is the code flow's default response mode, which the handler leaves implicit.
        Assert.Equal("query", query.TryGetValue("response_mode", out var mode) ? mode.ToString() : "query");
        Assert.Equal("openid profile email", query["scope"].ToString());
        Assert.Equal("S256", query["code_challenge_method"].ToString());
        Assert.False(string.IsNullOrEmpty(query["code_challenge"]));
        Assert.False(string.IsNullOrEmpty(query["nonce"]));
        Assert.False(string.IsNullOrEmpty(query["state"]));
        Assert.Equal(SandboxSeed.LoginClientId, query["client_id"].ToString());
        Assert.Equal(new Uri(browserAddress, "signin-auth0").AbsoluteUri, query["redirect_uri"].ToString());
    }

    [Theory]
    [InlineData(SandboxIdTokenDefect.WrongSignature, "signature does not verify")]
    [InlineData(SandboxIdTokenDefect.WrongAudience, "issued to another application")]
    [InlineData(SandboxIdTokenDefect.WrongNonce, "nonce does not belong to this sign-in")]
    [InlineData(SandboxIdTokenDefect.Expired, "has expired")]
    public async Task A_defective_id_token_gives_no_session_and_is_audited(SandboxIdTokenDefect defect, string auditedReason)
    {
        Sandbox.SetNextIdTokenDefect(defect);

        var (client, final) = await SandboxSignIn.SignInOverHttpAsync(_address, SandboxSignIn.Admin);
        using var _ = client;

        // The defective token was issued and reached the dashboard, which refused it.
        Assert.Equal(SandboxIdTokenDefect.None, Sandbox.NextIdTokenDefect);
        Assert.Equal("/account/access-denied", final.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("Sign-in failed", WebUtility.HtmlDecode(await final.Content.ReadAsStringAsync()));
        await AssertNoSessionAsync(client);
        var refusals = await AuditedSignInsAsync(AuditOutcome.Denied);
        Assert.Contains(refusals, e => e.Actor == "user:unknown" && e.Details!.Contains(auditedReason, StringComparison.Ordinal));

        // Everything else about the flow was sound: with a sound token the same user gets a session.
        using var signedIn = await SandboxSignIn.CreateSignedInClientAsync(_address, SandboxSignIn.Admin);
        Assert.Contains(">Admin<", await signedIn.GetStringAsync(""));
    }

    [Fact]
    public async Task A_tampered_state_gives_no_session_while_the_untouched_callback_signs_in()
    {
        var (client, callback) = await SandboxSignIn.ReachCallbackAsync(_address, SandboxSignIn.Admin);
        using var _ = client;
        var query = QueryHelpers.ParseQuery(callback.Query);
        var state = query["state"].ToString();
        var tamperedState = state[..^8] + (state[^8] == 'A' ? 'B' : 'A') + state[^7..];
        var tampered = QueryHelpers.AddQueryString(callback.GetLeftPart(UriPartial.Path),
            new Dictionary<string, string?> { ["code"] = query["code"], ["state"] = tamperedState });

        using var refused = await client.GetAsync(tampered);

        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Equal(AuthenticationSetup.AccessDeniedPath, refused.Headers.Location!.OriginalString.Split('?')[0]);
        await AssertNoSessionAsync(client);

        // The state check came before the code was spent: the genuine callback still signs in.
        using var genuine = await client.GetAsync(callback);
        Assert.Equal(HttpStatusCode.Redirect, genuine.StatusCode);
        Assert.Equal("/", genuine.Headers.Location!.OriginalString);
        using var home = await client.GetAsync("");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
    }

    [Fact]
    public async Task A_callback_started_in_another_browser_is_refused()
    {
        var (victim, callback) = await SandboxSignIn.ReachCallbackAsync(_address, SandboxSignIn.Admin);
        using var _ = victim;
        // Login CSRF: an attacker's own callback, replayed in a browser that never started that sign-in.
        using var otherBrowser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
            { BaseAddress = _address };

        using var refused = await otherBrowser.GetAsync(callback);

        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Equal(AuthenticationSetup.AccessDeniedPath, refused.Headers.Location!.OriginalString.Split('?')[0]);
        using var home = await otherBrowser.GetAsync("");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);

        using var genuine = await victim.GetAsync(callback);
        Assert.Equal("/", genuine.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_replayed_callback_gives_no_session_even_with_the_browsers_sign_in_cookies()
    {
        var (victim, callback) = await SandboxSignIn.ReachCallbackAsync(_address, SandboxSignIn.Admin);
        using var _ = victim;
        // What an attacker would need besides the callback address: the correlation and nonce cookies of that sign-in.
        var signInCookies = string.Join("; ", SandboxSignIn.CookiesOf(victim).GetCookies(callback).Select(c => $"{c.Name}={c.Value}"));
        Assert.Contains(".AspNetCore.Correlation.", signInCookies, StringComparison.Ordinal);
        Assert.Contains(".AspNetCore.OpenIdConnect.Nonce.", signInCookies, StringComparison.Ordinal);
        using var genuine = await victim.GetAsync(callback);
        Assert.Equal("/", genuine.Headers.Location!.OriginalString);

        using var attacker = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = _address };
        using var replay = new HttpRequestMessage(HttpMethod.Get, callback);
        replay.Headers.TryAddWithoutValidation("Cookie", signInCookies);
        using var refused = await attacker.SendAsync(replay);

        // The code was spent by the genuine callback: the tenant refuses it again, so no session is made.
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Equal(AuthenticationSetup.AccessDeniedPath, refused.Headers.Location!.OriginalString.Split('?')[0]);
        var setCookies = refused.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];
        Assert.DoesNotContain(setCookies, c => c.StartsWith("rd.session", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sign_out_goes_through_the_tenants_logout_with_client_id_and_return_address()
    {
        using var client = await SandboxSignIn.CreateSignedInClientAsync(_address, SandboxSignIn.Viewer);
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = _address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "account/signout");
        foreach (var header in client.DefaultRequestHeaders) request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        request.Headers.Add("Cookie", SessionCookies(client));

        using var signOut = await noRedirects.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        var logout = signOut.Headers.Location!;
        Assert.Equal(new Uri(_address, "sandbox-tenant/v2/logout").AbsoluteUri, logout.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(logout.Query);
        Assert.Equal(SandboxSeed.LoginClientId, query["client_id"].ToString());
        Assert.Equal(new Uri(_address, "account/signed-out").AbsoluteUri, query["returnTo"].ToString());
    }

    [Fact]
    public async Task A_link_to_the_handlers_front_channel_logout_does_not_end_the_session()
    {
        using var client = await SandboxSignIn.CreateSignedInClientAsync(_address, SandboxSignIn.Viewer);

        using var link = await client.GetAsync("signout-oidc");

        using var home = await client.GetAsync("");
        Assert.Equal(_address.AbsoluteUri, home.RequestMessage!.RequestUri!.AbsoluteUri);
        Assert.Contains(">Viewer<", await home.Content.ReadAsStringAsync());
    }

    private async Task AssertNoSessionAsync(HttpClient browser)
    {
        // Without a session the dashboard's home page sends the browser to sign in.
        using var check = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = _address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "");
        request.Headers.TryAddWithoutValidation("Cookie", SessionCookies(browser));
        using var home = await check.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal(AuthenticationSetup.SignInPath, new Uri(_address, home.Headers.Location!).AbsolutePath);
    }

    private string SessionCookies(HttpClient client) => string.Join("; ",
        SandboxSignIn.CookiesOf(client).GetCookies(_address).Select(c => $"{c.Name}={c.Value}"));

    private async Task<IReadOnlyList<AuditEventView>> AuditedSignInsAsync(AuditOutcome outcome)
    {
        var page = await _app.AppServices.GetRequiredService<IAuditLog>()
            .QueryAsync(new AuditQuery { Action = AuditActions.SignIn, Outcome = outcome, Take = 100 });
        return page.Items;
    }
}
