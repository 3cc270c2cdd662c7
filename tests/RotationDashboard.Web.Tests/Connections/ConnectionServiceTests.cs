using RotationDashboard.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RotationDashboard.Auth0;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.Tests.Connections;

/// <summary><see cref="ConnectionService"/> inside the running app, against the in-app sandbox.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
[Collection(ConnectionsAppCollection.Name)]
public sealed class ConnectionServiceTests
{
    private readonly ConnectionsAppFactory _app;
    private readonly ConnectionService _service;

    public ConnectionServiceTests(ConnectionsAppFactory app)
    {
        _app = app;
        _service = app.Get<ConnectionService>();
    }

    [Fact]
    public async Task Every_write_is_audited_and_no_audit_entry_carries_the_secret()
    {
        var m2m = _app.Get<SandboxTenant>().CreateManagementClient("audited-m2m", SandboxSeed.DashboardScopes);
        var created = await _service.CreateAsync(new ConnectionInput("audited", _app.SandboxDomain, m2m.ClientId, m2m.ClientSecret), ConnectionsAppFactory.Ada);
        var id = created.Value.Id;
        await _service.ValidateAsync(id, ConnectionsAppFactory.Ada);
        await _service.UpdateAsync(id, new ConnectionPatch(Name: "audited-renamed", ClientSecret: m2m.ClientSecret), ConnectionsAppFactory.Ada);
        await _service.DeleteAsync(id, ConnectionsAppFactory.Ada);

        await using var db = await _app.Get<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync();
        var audit = await db.AuditEvents.Where(e => e.TargetId == id.ToString()).OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(
            [AuditActions.ConnectionCreate, AuditActions.ConnectionValidate, AuditActions.ConnectionUpdate, AuditActions.ConnectionDelete],
            audit.Select(e => e.Action));
        Assert.All(audit, e =>
        {
            Assert.Equal((ActorType.User, SandboxSignInAdmin, AuditOutcome.Success), (e.ActorType, e.ActorName, e.Outcome));
            Assert.DoesNotContain(m2m.ClientSecret!, $"{e.Details} {e.TargetName}", StringComparison.Ordinal);
        });
        Assert.Equal("Changed: name (was \"audited\"), client secret.", audit[2].Details);
    }

    [Fact]
    public async Task A_viewer_is_refused_on_the_server_and_the_refusal_is_audited()
    {
        var before = (await _service.ListAsync()).Count;

        await Assert.ThrowsAsync<ForbiddenActionException>(() =>
            _service.CreateAsync(new ConnectionInput("viewer-try", _app.SandboxDomain, "c", "s"), ConnectionsAppFactory.Victor));
        await Assert.ThrowsAsync<ForbiddenActionException>(() =>
            _service.TestAsync(new ConnectionInput(null, _app.SandboxDomain, "c", "s"), null, ConnectionsAppFactory.Victor));

        Assert.Equal(before, (await _service.ListAsync()).Count);
        await using var db = await _app.Get<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync();
        Assert.True(await db.AuditEvents.AnyAsync(e =>
            e.ActorName == ConnectionsAppFactory.Victor.Actor.Name && e.Action == AuditActions.ConnectionCreate && e.Outcome == AuditOutcome.Denied));
    }

    [Fact]
    public async Task Testing_typed_credentials_reports_the_auth0_error_and_records_nothing()
    {
        const string typo = "typed-wrong-secret-0000000000000000";
        var wrong = await _service.TestAsync(
            new ConnectionInput(null, _app.SandboxDomain, SandboxSeed.DashboardClientId, typo, IsSandbox: true), null, ConnectionsAppFactory.Ada);
        var right = await _service.TestAsync(
            new ConnectionInput("", "", SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret, IsSandbox: true), null, ConnectionsAppFactory.Ada);
        var incomplete = await _service.TestAsync(new ConnectionInput(null, "", "", null), null, ConnectionsAppFactory.Ada);

        Assert.False(wrong.Value.Ok);
        Assert.Equal(TokenCheckOutcome.InvalidCredential, wrong.Value.Outcome);
        Assert.Contains("Auth0 rejected the client ID or secret (401", wrong.Value.Message);
        Assert.DoesNotContain(typo, wrong.Value.Message, StringComparison.Ordinal);
        Assert.True(right.Value.Ok, right.Value.Message);
        Assert.False(right.Value.HasMissingScopes);
        Assert.Equal(["clientId", "clientSecret", "domain"], incomplete.Failure!.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain((await _service.ListAsync()), c => c.ClientId == SandboxSeed.DashboardClientId && c.Name == "draft");
    }

    [Fact]
    public async Task Testing_an_existing_connection_uses_the_stored_secret_only_for_the_stored_tenant()
    {
        var created = await _service.CreateAsync(
            new ConnectionInput("stored-secret", _app.SandboxDomain, SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret),
            ConnectionsAppFactory.Ada);
        var id = created.Value.Id;
        var validatedAt = created.Value.LastValidatedAt;

        var same = await _service.TestAsync(new ConnectionInput(null, _app.SandboxDomain, SandboxSeed.DashboardClientId, null), id, ConnectionsAppFactory.Ada);
        var elsewhere = await _service.TestAsync(new ConnectionInput(null, "attacker.example.com", SandboxSeed.DashboardClientId, null), id, ConnectionsAppFactory.Ada);

        Assert.True(same.Value.Ok, same.Value.Message);
        Assert.Equal(OperationFailureKind.Validation, elsewhere.Failure!.Kind);
        Assert.Contains("Enter the client secret again", elsewhere.Failure.Errors["clientSecret"][0]);
        Assert.Equal(validatedAt, (await _service.GetAsync(id))!.LastValidatedAt); // a form test records nothing
    }

    [Fact]
    public async Task The_application_list_is_cached_briefly_per_connection_and_refreshed_on_demand()
    {
        var sandbox = (await _service.ListAsync()).Single(c => c.Name == SandboxConnections.DefaultConnectionName);

        var first = await _service.ListApplicationsAsync(sandbox.Id);
        var second = await _service.ListApplicationsAsync(sandbox.Id, search: "BILLING");
        _app.Get<SandboxTenant>().CreateClient("Created after the first listing");
        var cached = await _service.ListApplicationsAsync(sandbox.Id);
        var refreshed = await _service.ListApplicationsAsync(sandbox.Id, refresh: true, requestedBy: ConnectionsAppFactory.Ada);

        Assert.Equal(first.Value.FetchedAt, second.Value.FetchedAt);
        Assert.Equal([SandboxSeed.BillingServiceClientId], second.Value.Applications.Select(a => a.ClientId));
        Assert.Equal(first.Value.TotalCount, second.Value.TotalCount);
        Assert.DoesNotContain(cached.Value.Applications, a => a.Name == "Created after the first listing");
        Assert.Contains(refreshed.Value.Applications, a => a.Name == "Created after the first listing");
        Assert.DoesNotContain(first.Value.Applications, a => a.ClientId is SandboxSeed.DashboardClientId or SandboxSeed.LoginClientId || a.Name == ConnectionService.AllApplicationsName);
        var portal = first.Value.Applications.Single(a => a.ClientId == SandboxSeed.CustomerPortalClientId);
        Assert.Equal(("Regular Web", "client_secret_post"), (portal.AppTypeLabel, portal.AuthMethod));
        Assert.False(first.Value.Applications.Single(a => a.ClientId == SandboxSeed.MobileAppClientId).IsConfidential);
    }

    [Fact]
    public async Task Only_an_admin_refresh_fetches_the_application_list_again()
    {
        var sandbox = (await _service.ListAsync()).Single(c => c.Name == SandboxConnections.DefaultConnectionName);
        var first = await _service.ListApplicationsAsync(sandbox.Id, refresh: true, requestedBy: ConnectionsAppFactory.Ada);
        _app.Get<SandboxTenant>().CreateClient("Created before a viewer's refresh");

        var byViewer = await _service.ListApplicationsAsync(sandbox.Id, refresh: true, requestedBy: ConnectionsAppFactory.Victor);
        var byNobody = await _service.ListApplicationsAsync(sandbox.Id, refresh: true);
        var byAdmin = await _service.ListApplicationsAsync(sandbox.Id, refresh: true, requestedBy: ConnectionsAppFactory.Ada);

        Assert.Equal(first.Value.FetchedAt, byViewer.Value.FetchedAt);
        Assert.Equal(first.Value.FetchedAt, byNobody.Value.FetchedAt);
        Assert.DoesNotContain(byViewer.Value.Applications, a => a.Name == "Created before a viewer's refresh");
        Assert.Contains(byAdmin.Value.Applications, a => a.Name == "Created before a viewer's refresh");
    }

    [Fact]
    public async Task New_credentials_are_saved_only_once_auth0_accepts_them()
    {
        var m2m = _app.Get<SandboxTenant>().CreateManagementClient("patched-m2m", SandboxSeed.DashboardScopes);
        var created = (await _service.CreateAsync(new ConnectionInput("patched", _app.SandboxDomain, m2m.ClientId, m2m.ClientSecret), ConnectionsAppFactory.Ada)).Value;

        var wrong = await _service.UpdateAsync(created.Id, new ConnectionPatch(ClientSecret: "not-the-secret-000000000000000000"), ConnectionsAppFactory.Ada);
        var renamed = await _service.UpdateAsync(created.Id, new ConnectionPatch(Name: "patched-renamed"), ConnectionsAppFactory.Ada);

        Assert.Equal(OperationFailureKind.Validation, wrong.Failure!.Kind);
        Assert.StartsWith("Not saved: Auth0 rejected the client ID or secret (401", wrong.Failure.Errors["clientSecret"][0]);
        Assert.True(renamed.Succeeded, renamed.ToString());
        Assert.Equal(created.LastValidatedAt, renamed.Value.LastValidatedAt); // no new test for a rename
        Assert.True((await _service.ValidateAsync(created.Id, ConnectionsAppFactory.Ada)).Value.Ok); // the stored secret is unchanged
    }

    [Fact]
    public async Task The_list_shows_status_usage_and_missing_scopes_per_rotation_type()
    {
        var limited = _app.Get<SandboxTenant>().CreateManagementClient("secret-only-m2m", ["read:clients", "update:client_keys"]);
        var created = await _service.CreateAsync(new ConnectionInput("secret-only", _app.SandboxDomain, limited.ClientId, limited.ClientSecret), ConnectionsAppFactory.Ada);
        Assert.Equal(ConnectionStatus.MissingScopes, created.Value.Status); // tested before it was saved

        await _service.ValidateAsync(created.Value.Id, ConnectionsAppFactory.Ada);
        var view = (await _service.ListAsync()).Single(c => c.Id == created.Value.Id);

        Assert.Equal(ConnectionStatus.MissingScopes, view.Status);
        Assert.Empty(view.MissingScopes[RotationType.Auth0ClientSecret]);
        Assert.Equal(5, view.MissingScopes[RotationType.Auth0PrivateKeyJwt].Count);
        Assert.Equal([RotationType.Auth0ClientSecret], view.SupportedRotationTypes);
        Assert.Equal(0, view.RotationCount);
        Assert.NotNull(view.LastValidatedAt);
    }

    [Fact]
    public void The_connect_time_guard_is_on_with_only_the_sandbox_loopback_exempt()
    {
        var options = _app.Get<IOptions<Auth0ClientOptions>>().Value;

        Assert.True(options.BlockNonPublicAddresses);
        Assert.Contains("127.0.0.1", options.AllowedNonPublicHosts);
        Assert.Empty(_app.Get<IOptions<ConnectionsOptions>>().Value.AllowedNonPublicHosts);
    }

    private const string SandboxSignInAdmin = SandboxSeed.AdaAdminEmail;
}
