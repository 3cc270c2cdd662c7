using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Connections;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Application.Common;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.Application.Connections;

/// <summary>Tests a connection form's credentials before saving (UI); nothing is recorded.</summary>
public sealed class TestConnectionDraft(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    IAuth0ConnectionResolver resolver,
    ISecretProtector protector,
    ConnectionForms forms,
    ConnectionTester tester,
    PermissionGuard guard,
    TimeProvider timeProvider) : ITestConnectionDraft
{
    /// <summary>
    /// Tests credentials as typed in a form, before saving; nothing is recorded. For an existing connection
    /// (<paramref name="existingId"/>) a null secret means the stored one, which is only sent to the stored tenant.
    /// </summary>
    /// <exception cref="ForbiddenActionException">The caller lacks connections:write.</exception>
    public async Task<OperationResult<ConnectionTestResult>> ExecuteAsync(
        ConnectionInput draft,
        Guid? existingId,
        DashboardUser user,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        await guard.EnsureAsync(user, ApiPermissions.ConnectionsWrite, null, AuditActions.ConnectionValidate, "test connections",
            existingId is { } target ? AuditTarget.Connection(target, draft.Name?.Trim() ?? "") : ConnectionForms.NewConnectionTarget(draft.Name), cancellationToken);

        Connection? existing = null;
        if (existingId is { } id)
        {
            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            existing = await db.Connections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
            if (existing is null)
            {
                return OperationResult<ConnectionTestResult>.NotFound("The connection does not exist.");
            }
        }

        // The name plays no part in a test: a half-filled form may still be tested.
        var (settings, errors) = forms.ToSettings(draft with { Name = ConnectionForms.DraftName }, requireClientSecret: existing is null,
            secretGiven: draft.ClientSecret is not null);
        if (existing is not null && draft.ClientSecret is null && !errors.ContainsKey("domain") && !ConnectionForms.SameTenant(existing, settings))
        {
            errors.Add("clientSecret", ConnectionForms.StoredSecretNeedsSameTenant);
        }

        if (errors.HasErrors)
        {
            return OperationResult<ConnectionTestResult>.Invalid(errors);
        }

        var secret = draft.ClientSecret ?? existing!.RevealClientSecret(protector);
        var transient = Connection.Create(settings, secret, protector, timeProvider.GetUtcNow());
        return OperationResult.Success(await tester.TestAsync(resolver.ToSettings(transient), settings.IsSandbox, cancellationToken));
    }
}
