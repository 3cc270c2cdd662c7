using RotationDashboard.Testing;
using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RotationDashboard.Core.Audit;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Security.Sessions;
using RotationDashboard.Web.Services.Audit;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Security;

/// <summary>Server-side sessions: sign-out and role changes take effect wherever the session cookie is used.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class SessionTests : IClassFixture<DashboardAppFactory>
{
    private readonly DashboardAppFactory _app;
    private readonly Uri _address;

    public SessionTests(DashboardAppFactory app)
    {
        _app = app;
        _address = _app.StartKestrel();
    }

    [Fact]
    public async Task After_sign_out_the_same_session_cookie_used_elsewhere_is_refused()
    {
        using var browser = await SandboxSignIn.CreateSignedInClientAsync(_address, SandboxSignIn.Viewer);
        using var copy = CopyOfSession(browser, _address);
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("api/v1/projects")).StatusCode);

        using var signOut = await browser.PostAsync(AuthenticationSetup.SignOutPath, null);

        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.GetAsync("api/v1/projects")).StatusCode);
        using var page = await copy.GetAsync("");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains(AuthenticationSetup.SignInPath, page.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Removing_an_admin_from_the_configuration_takes_effect_on_the_next_request()
    {
        await using var app = new DashboardAppFactory();
        var address = app.StartKestrel();
        using var ada = await SandboxSignIn.CreateSignedInClientAsync(address, SandboxSignIn.Admin);
        Assert.Contains(">Admin<", await ada.GetStringAsync(""));

        var configuration = (IConfigurationRoot)app.AppServices.GetRequiredService<IConfiguration>();
        configuration["Authentication:AdminEmails:0"] = "someone-else@sandbox.test";
        configuration.Reload();

        Assert.Contains(">Viewer<", await ada.GetStringAsync(""));
        using var adminOnly = await ada.PostAsync("api/v1/app-connections/auth0", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, adminOnly.StatusCode);

        // A restriction that leaves Ada out ends her session at once.
        configuration["Authentication:AllowedEmailDomains:0"] = "elsewhere.test";
        configuration.Reload();
        using var refused = await ada.GetAsync("api/v1/projects");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task An_admin_revokes_a_session_from_the_sessions_api_and_every_copy_of_its_cookie_is_refused()
    {
        using var victor = await SandboxSignIn.CreateSignedInClientAsync(_address, SandboxSignIn.Viewer);
        using var victorElsewhere = CopyOfSession(victor, _address);
        using var ada = await SandboxSignIn.CreateSignedInClientAsync(_address, SandboxSignIn.Admin);
        Assert.Equal(HttpStatusCode.Forbidden, (await victor.GetAsync("api/v1/sessions")).StatusCode);

        using var list = JsonDocument.Parse(await ada.GetStringAsync("api/v1/sessions"));
        var session = list.RootElement.GetProperty("sessions").EnumerateArray()
            .Last(s => s.GetProperty("userName").GetString() == SandboxSignIn.Viewer);
        Assert.Equal(SandboxSeed.VictorViewerSub, session.GetProperty("subject").GetString());
        Assert.False(session.TryGetProperty("ticket", out _));
        var id = session.GetProperty("id").GetString();
        // The id is a hash of the cookie's key, never the key itself.
        Assert.DoesNotContain(id!, SandboxSignIn.CookiesOf(victor).GetCookieHeader(_address), StringComparison.Ordinal);

        using var revoked = await ada.DeleteAsync($"api/v1/sessions/{id}");
        using var again = await ada.DeleteAsync($"api/v1/sessions/{id}");

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await victor.GetAsync("api/v1/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await victorElsewhere.GetAsync("api/v1/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ada.GetAsync("api/v1/projects")).StatusCode);
        var audit = await _app.AppServices.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { Action = AuditActions.SessionRevoke, Take = 10 });
        Assert.Contains(audit.Items, e => e.Actor == $"user:{SandboxSignIn.Admin}" && e.Details!.Contains(SandboxSignIn.Viewer, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_session_ends_at_its_absolute_lifetime_however_often_it_is_renewed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var services = _app.AppServices;
        var store = new DatabaseTicketStore(services.GetRequiredService<IDbContextFactory<RotationDashboardDbContext>>(),
            services.GetRequiredService<IDataProtectionProvider>(), services.GetRequiredService<IOptionsMonitor<SignInOptions>>(),
            clock, NullLogger<DatabaseTicketStore>.Instance);
        var key = await store.StoreAsync(Ticket(clock, TimeSpan.FromHours(8)), CancellationToken.None);

        // Busy all day: the sliding expiry keeps moving, the 12-hour default does not.
        for (var hour = 1; hour <= 11; hour++)
        {
            clock.Advance(TimeSpan.FromHours(1));
            var ticket = await store.RetrieveAsync(key, CancellationToken.None);
            Assert.NotNull(ticket);
            ticket.Properties.ExpiresUtc = clock.GetUtcNow().AddHours(8);
            await store.RenewAsync(key, ticket, CancellationToken.None);
        }
        var last = await store.RetrieveAsync(key, CancellationToken.None);
        Assert.Equal(DateTimeOffset.Parse("2026-03-01T20:00:00Z", System.Globalization.CultureInfo.InvariantCulture), last!.Properties.ExpiresUtc);

        clock.Advance(TimeSpan.FromHours(1));
        Assert.Null(await store.RetrieveAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task A_stored_ticket_is_encrypted_and_open_circuits_notice_a_removed_session_or_changed_role()
    {
        var services = _app.AppServices;
        var store = services.GetRequiredService<DatabaseTicketStore>();
        var sessions = services.GetRequiredService<SessionService>();
        var ticket = Ticket(TimeProvider.System, TimeSpan.FromHours(1));
        var key = await store.StoreAsync(ticket, CancellationToken.None);
        var principal = (await store.RetrieveAsync(key, CancellationToken.None))!.Principal;

        await using (var db = await services.GetRequiredService<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync())
        {
            var row = await db.UserSessions.SingleAsync(s => s.Id == principal.FindFirst(DatabaseTicketStore.SessionIdClaim)!.Value);
            Assert.Equal(SandboxSignIn.Viewer, row.UserName);
            Assert.DoesNotContain(SandboxSeed.VictorViewerSub, System.Text.Encoding.UTF8.GetString(row.Ticket), StringComparison.Ordinal);
        }

        Assert.True(await sessions.IsStillValidAsync(principal));
        Assert.False(await sessions.IsStillValidAsync(SessionService.WithRole(principal, DashboardRoles.Admin)));
        await store.RemoveAsync(key, CancellationToken.None);
        Assert.False(await sessions.IsStillValidAsync(principal));
    }

    private static AuthenticationTicket Ticket(TimeProvider clock, TimeSpan slidingLifetime)
    {
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, SandboxSeed.VictorViewerSub),
            new Claim(ClaimTypes.Email, SandboxSignIn.Viewer),
            new Claim(RoleAssignment.EmailVerifiedClaim, "true", ClaimValueTypes.Boolean),
            new Claim(DashboardRoles.ClaimType, DashboardRoles.Viewer),
        ], AuthenticationSetup.Auth0Scheme);
        return new AuthenticationTicket(new ClaimsPrincipal(identity),
            new AuthenticationProperties { IssuedUtc = clock.GetUtcNow(), ExpiresUtc = clock.GetUtcNow() + slidingLifetime },
            CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// <summary>Another client sending the same session cookie, as a second tab, device or a stolen copy would.</summary>
    internal static HttpClient CopyOfSession(HttpClient browser, Uri address)
    {
        var copy = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = address };
        copy.DefaultRequestHeaders.Add("Cookie", SandboxSignIn.CookiesOf(browser).GetCookieHeader(address));
        return copy;
    }
}
