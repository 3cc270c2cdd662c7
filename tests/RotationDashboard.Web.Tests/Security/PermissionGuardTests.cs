using System.Security.Claims;
using System.Text.Json;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Security;
using RotationDashboard.Testing;
using RotationDashboard.Web.Application.Common;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services;
using RotationDashboard.Web.Services.Audit;

namespace RotationDashboard.Web.Tests.Security;

/// <summary>
/// <see cref="PermissionGuard"/>: the one permission check of the use cases (a session's role as permissions, a token's
/// scopes, never "a token is an Admin"), and the one place a refusal is audited.
/// </summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public class PermissionGuardTests
{
    private static readonly AuditTarget Target = new(AuditTargetTypes.Rotation, "r1", "billing");
    private static readonly Guid ProjectA = Guid.NewGuid();
    private static readonly Guid ProjectB = Guid.NewGuid();

    private static DashboardUser Session(string role) => DashboardUser.FromPrincipal(new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim(ClaimTypes.Email, role.ToLowerInvariant() + "@sandbox.test"), new Claim(DashboardRoles.ClaimType, role)], "test")));

    // A token principal as ApiTokenAuthenticationHandler builds it; the Admin role claim must not make it an Admin.
    private static DashboardUser Token(params ApiTokenScope[] scopes) => DashboardUser.FromPrincipal(new ClaimsPrincipal(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.Name, "ci"),
        new Claim(DashboardUser.TokenNameClaim, "ci"),
        new Claim(ApiTokenAuthenticationHandler.ScopesClaim, JsonSerializer.Serialize(scopes)),
        new Claim(DashboardRoles.ClaimType, DashboardRoles.Admin),
    ], "ApiToken")));

    private static ResourceLocation At(Guid project) => new(project, "prod", "/billing");

    [Fact]
    public async Task An_admin_session_holds_every_permission_and_nothing_is_audited()
    {
        var audit = new RecordingAuditLog();
        var guard = new PermissionGuard(audit);

        foreach (var permission in ApiPermissions.All)
        {
            await guard.EnsureAsync(Session(DashboardRoles.Admin), permission, At(ProjectA), "rotation.update", "edit rotations", Target, CancellationToken.None);
        }

        Assert.Empty(audit.Entries);
    }

    [Fact]
    public async Task A_viewer_reads_configuration_but_is_refused_writes_reveals_and_secret_values_with_one_denied_entry_each()
    {
        Assert.Equal(new HashSet<string> { ApiPermissions.RotationsRead, ApiPermissions.ConnectionsRead }, RolePermissions.Viewer);
        var audit = new RecordingAuditLog();
        var guard = new PermissionGuard(audit);
        var viewer = Session(DashboardRoles.Viewer);

        await guard.EnsureAsync(viewer, ApiPermissions.RotationsRead, null, "rotation.read", "read rotations", Target, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<ForbiddenActionException>(() =>
            guard.EnsureAsync(viewer, ApiPermissions.RotationsReveal, At(ProjectA), "rotation.reveal-credentials", "reveal generated credentials", Target, CancellationToken.None));
        await Assert.ThrowsAsync<ForbiddenActionException>(() =>
            guard.EnsureAsync(viewer, ApiPermissions.SecretsRead, null, "secret.reveal", "reveal secrets", Target, CancellationToken.None));

        Assert.Equal("Only an Admin may reveal generated credentials.", refused.Message);
        Assert.Collection(audit.Entries,
            e => Assert.Equal((viewer.Actor, "rotation.reveal-credentials", Target, AuditOutcome.Denied, refused.Message), e),
            e => Assert.Equal(("secret.reveal", AuditOutcome.Denied), (e.Action, e.Outcome)));
    }

    [Fact]
    public async Task A_token_holds_only_its_scopes_where_they_reach_even_with_an_admin_role_claim()
    {
        var audit = new RecordingAuditLog();
        var guard = new PermissionGuard(audit);
        var token = Token(new ApiTokenScope(ApiPermissions.RotationsWrite, ProjectA));
        Assert.False(token.IsAdmin);

        await guard.EnsureAsync(token, ApiPermissions.RotationsWrite, At(ProjectA), "rotation.update", "edit rotations", Target, CancellationToken.None);
        var elsewhere = await Assert.ThrowsAsync<ForbiddenActionException>(() =>
            guard.EnsureAsync(token, ApiPermissions.RotationsWrite, At(ProjectB), "rotation.update", "edit rotations", Target, CancellationToken.None));
        var reveal = await Assert.ThrowsAsync<ForbiddenActionException>(() =>
            guard.EnsureAsync(token, ApiPermissions.RotationsReveal, At(ProjectA), "rotation.reveal-credentials", "reveal generated credentials", Target, CancellationToken.None));

        Assert.Equal("The API token may not edit rotations there: it needs rotations:write for that project and environment.", elsewhere.Message);
        Assert.Contains("it needs rotations:reveal", reveal.Message, StringComparison.Ordinal);
        Assert.Equal(2, audit.Entries.Count);
        Assert.All(audit.Entries, e => Assert.Equal((Actor.Token("ci"), AuditOutcome.Denied), (e.Actor, e.Outcome)));
    }

    private sealed class RecordingAuditLog : IAuditLog
    {
        public List<(Actor Actor, string Action, AuditTarget Target, AuditOutcome Outcome, string? Details)> Entries { get; } = [];

        public Task WriteAsync(Actor actor, string action, AuditTarget target, AuditOutcome outcome, string? details = null, CancellationToken cancellationToken = default)
        {
            Entries.Add((actor, action, target, outcome, details));
            return Task.CompletedTask;
        }

        public Task<PagedResult<AuditEventView>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
