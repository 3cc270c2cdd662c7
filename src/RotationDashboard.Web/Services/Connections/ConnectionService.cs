using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RotationDashboard.Auth0;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Connections;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Security;

using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Services.Connections;

/// <summary>
/// Auth0 connections for the UI and the API: list with status, create, update, delete, "Test connection" (a token
/// request that reports granted and missing scopes) and the tenant's applications for the picker.
/// Writes are for Admins only (checked here, not only in the UI), audited in the same SaveChanges as the change,
/// and validated before anything is changed or Auth0 is contacted. The client secret never leaves this service:
/// not in a view, an audit entry, a message or a log.
/// </summary>
public sealed partial class ConnectionService(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    ISecretProtector protector,
    IAuth0ConnectionResolver resolver,
    IAuth0ManagementClientFactory managementClients,
    IAuth0TokenClient tokenClient,
    SandboxConnections sandbox,
    OutboundAddressPolicy addressPolicy,
    ApplicationListCache applicationCache,
    ApplicationOwnership ownership,
    IOptions<SignInOptions> signIn,
    TimeProvider timeProvider,
    ILogger<ConnectionService> logger)
{
    /// <summary><see cref="ApplicationSummary.AuthMethod"/> of an application that authenticates with private_key_jwt.</summary>
    public const string PrivateKeyJwtAuthMethod = "private_key_jwt";

    /// <summary>The tenant-wide pseudo-client real tenants list; it has no credential of its own to rotate.</summary>
    public const string AllApplicationsName = "All Applications";

    private const string StoredSecretNeedsSameTenant =
        "Enter the client secret again: a stored secret is only ever sent to the tenant it was saved for.";

    // Stands in for the name while testing a half-filled form.
    private const string DraftName = "draft";

    private static readonly IReadOnlyList<string> PickerFields =
        ["client_id", "name", "description", "app_type", "global", "token_endpoint_auth_method", "client_authentication_methods"];

    // ---- Reads -----------------------------------------------------------------------------------------

    /// <summary>Every connection with its status and how many rotations use it, by name.</summary>
    public async Task<IReadOnlyList<ConnectionView>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var connections = await db.Connections.AsNoTracking().OrderBy(c => c.Name).ToListAsync(cancellationToken);
        var usage = await db.Rotations.AsNoTracking()
            .GroupBy(r => r.ConnectionId)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        return connections.Select(c => ToView(c, usage.GetValueOrDefault(c.Id))).ToList();
    }

    public async Task<ConnectionView?> GetAsync(Guid connectionId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var connection = await db.Connections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        return connection is null ? null : ToView(connection, await CountRotationsAsync(db, connectionId, cancellationToken));
    }

    // ---- Writes ----------------------------------------------------------------------------------------

    /// <summary>
    /// Creates a connection (audited as <c>connection.create</c>) once Auth0 issued a Management API token for its
    /// credentials (Infisical's rule): credentials Auth0 refuses, or a tenant it cannot reach, are a validation error
    /// and nothing is saved. The test's result (granted and missing scopes) is recorded with the connection.
    /// </summary>
    /// <exception cref="ForbiddenActionException">The user is not an Admin.</exception>
    public async Task<OperationResult<ConnectionView>> CreateAsync(
        ConnectionInput input,
        DashboardUser user,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await EnsureMayChangeAsync(user, AuditActions.ConnectionCreate, NewConnectionTarget(input.Name), "create connections", cancellationToken);

        var (settings, errors) = ToSettings(input, requireClientSecret: true, secretGiven: input.ClientSecret is not null);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await CheckNameIsFreeAsync(db, settings.Name, exceptId: null, errors, cancellationToken);
        await CheckOutboundAddressAsync(settings, errors, cancellationToken);
        if (errors.HasErrors)
        {
            return OperationResult<ConnectionView>.Invalid(errors);
        }

        var now = timeProvider.GetUtcNow();
        var connection = Connection.Create(settings, input.ClientSecret!, protector, now);
        if (await TestBeforeSavingAsync(connection, cancellationToken) is { } refused)
        {
            return OperationResult<ConnectionView>.Invalid(refused);
        }

        db.Connections.Add(connection);
        db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.ConnectionCreate,
            AuditTarget.Connection(connection.Id, connection.Name), AuditOutcome.Success, Describe(connection)));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (IsUniqueViolation(ex))
        {
            return OperationResult<ConnectionView>.Invalid("name", NameTakenMessage(settings.Name));
        }

        LogCreated(logger, connection.Id, connection.Name, user.Actor.ToString());
        return OperationResult.Success(ToView(connection, rotationCount: 0));
    }

    /// <summary>
    /// Changes a connection (audited as <c>connection.update</c> with the changed fields). A null secret keeps the
    /// stored one unless the tenant changes. A change of tenant or credentials clears the last test result.
    /// </summary>
    /// <exception cref="ForbiddenActionException">The user is not an Admin.</exception>
    public async Task<OperationResult<ConnectionView>> UpdateAsync(
        Guid connectionId,
        ConnectionPatch patch,
        DashboardUser user,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(patch);
        await EnsureMayChangeAsync(user, AuditActions.ConnectionUpdate, AuditTarget.Connection(connectionId, patch.Name ?? ""), "change connections", cancellationToken);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var connection = await db.Connections.SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        if (connection is null)
        {
            return OperationResult<ConnectionView>.NotFound("The connection does not exist.");
        }

        var (settings, errors) = ToSettings(Merge(connection, patch), requireClientSecret: false, secretGiven: patch.ClientSecret is not null);
        if (patch.ClientSecret is null && !errors.ContainsKey("domain") && !SameTenant(connection, settings))
        {
            errors.Add("clientSecret", StoredSecretNeedsSameTenant);
        }

        await CheckNameIsFreeAsync(db, settings.Name, exceptId: connectionId, errors, cancellationToken);
        await CheckOutboundAddressAsync(settings, errors, cancellationToken);
        if (errors.HasErrors)
        {
            return OperationResult<ConnectionView>.Invalid(errors);
        }

        var before = (connection.Name, connection.Domain, connection.ClientId, connection.Audience, connection.IsSandbox);
        var now = timeProvider.GetUtcNow();
        var credentialsChanged = connection.Update(settings, patch.ClientSecret, protector, now);
        if (credentialsChanged && await TestBeforeSavingAsync(connection, cancellationToken) is { } refused)
        {
            // New credentials or another tenant: saved only once Auth0 accepts them (the tracked changes are dropped).
            return OperationResult<ConnectionView>.Invalid(refused);
        }
        var changes = Changes(before, connection, secretChanged: patch.ClientSecret is not null);
        db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.ConnectionUpdate,
            AuditTarget.Connection(connection.Id, connection.Name), AuditOutcome.Success,
            changes.Count == 0 ? "No changes." : "Changed: " + string.Join(", ", changes) + "."));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (IsUniqueViolation(ex))
        {
            return OperationResult<ConnectionView>.Invalid("name", NameTakenMessage(settings.Name));
        }

        applicationCache.Invalidate(connectionId);
        return OperationResult.Success(ToView(connection, await CountRotationsAsync(db, connectionId, cancellationToken)));
    }

    /// <summary>Deletes a connection (audited as <c>connection.delete</c>); refused with a Conflict while rotations use it.</summary>
    /// <exception cref="ForbiddenActionException">The user is not an Admin.</exception>
    public async Task<OperationResult<ConnectionView>> DeleteAsync(
        Guid connectionId,
        DashboardUser user,
        CancellationToken cancellationToken = default)
    {
        await EnsureMayChangeAsync(user, AuditActions.ConnectionDelete, AuditTarget.Connection(connectionId, ""), "delete connections", cancellationToken);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var connection = await db.Connections.SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        if (connection is null)
        {
            return OperationResult<ConnectionView>.NotFound("The connection does not exist.");
        }

        var view = ToView(connection, rotationCount: 0);
        var users = await db.Rotations.AsNoTracking()
            .Where(r => r.ConnectionId == connectionId)
            .OrderBy(r => r.Name)
            .Select(r => r.Name)
            .ToListAsync(cancellationToken);
        if (users.Count > 0)
        {
            return OperationResult<ConnectionView>.Conflict(InUseMessage(connection.Name, users));
        }

        db.Connections.Remove(connection);
        db.AuditEvents.Add(AuditEvent.Record(timeProvider.GetUtcNow(), user.Actor, AuditActions.ConnectionDelete,
            AuditTarget.Connection(connection.Id, connection.Name), AuditOutcome.Success, Describe(connection)));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is SqliteException { SqliteErrorCode: 19 })
        {
            // A rotation was created meanwhile; the foreign key refused the delete.
            await using var again = await contextFactory.CreateDbContextAsync(cancellationToken);
            var names = await again.Rotations.Where(r => r.ConnectionId == connectionId).Select(r => r.Name).ToListAsync(cancellationToken);
            return OperationResult<ConnectionView>.Conflict(InUseMessage(connection.Name, names));
        }

        applicationCache.Invalidate(connectionId);
        return OperationResult.Success(view);
    }

    // ---- Test connection -------------------------------------------------------------------------------

    /// <summary>
    /// Asks Auth0 for a token with the connection's credentials before it is saved. Null when Auth0 issued one (the
    /// result is recorded on the connection); otherwise the error, on the field most likely at fault.
    /// </summary>
    private async Task<ValidationErrors?> TestBeforeSavingAsync(Connection connection, CancellationToken cancellationToken)
    {
        var result = await RunTestAsync(resolver.ToSettings(connection), connection.IsSandbox, cancellationToken);
        if (result.Ok)
        {
            connection.RecordValidation(true, result.Message, result.GrantedScopes, result.TestedAt);
            return null;
        }

        var field = result.Outcome switch
        {
            TokenCheckOutcome.InvalidCredential => "clientSecret",
            TokenCheckOutcome.AuthenticatedNotAuthorized => "audience",
            _ => "domain",
        };
        return new ValidationErrors().Add(field, "Not saved: " + result.Message);
    }

    /// <summary>
    /// Tests the stored credentials with a token request and records the result on the connection (audited as
    /// <c>connection.validate</c>, with the outcome and the scrubbed message).
    /// </summary>
    /// <exception cref="ForbiddenActionException">The user is not an Admin.</exception>
    public async Task<OperationResult<ConnectionTestResult>> ValidateAsync(
        Guid connectionId,
        DashboardUser user,
        CancellationToken cancellationToken = default)
    {
        await EnsureMayChangeAsync(user, AuditActions.ConnectionValidate, AuditTarget.Connection(connectionId, ""), "test connections", cancellationToken);

        ResolvedConnection resolved;
        try
        {
            resolved = await resolver.ResolveAsync(connectionId, cancellationToken);
        }
        catch (ConnectionNotFoundException)
        {
            return OperationResult<ConnectionTestResult>.NotFound("The connection does not exist.");
        }

        var result = await RunTestAsync(resolved.Settings, resolved.Connection.IsSandbox, cancellationToken);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var connection = await db.Connections.SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        if (connection is null)
        {
            return OperationResult<ConnectionTestResult>.NotFound("The connection does not exist.");
        }

        var scopes = result.Outcome switch
        {
            TokenCheckOutcome.Valid => result.GrantedScopes,
            TokenCheckOutcome.InvalidCredential or TokenCheckOutcome.AuthenticatedNotAuthorized => [],
            _ => null, // no verdict: keep what the last real answer said
        };
        connection.RecordValidation(result.Ok, result.Message, scopes, result.TestedAt);
        db.AuditEvents.Add(AuditEvent.Record(result.TestedAt, user.Actor, AuditActions.ConnectionValidate,
            AuditTarget.Connection(connection.Id, connection.Name), result.Ok ? AuditOutcome.Success : AuditOutcome.Failure,
            result.Message));
        await db.SaveChangesAsync(cancellationToken);
        LogValidated(logger, connection.Id, connection.Name, result.Outcome, result.Ok);
        return OperationResult.Success(result);
    }

    /// <summary>
    /// Tests credentials as typed in a form, before saving; nothing is recorded. For an existing connection
    /// (<paramref name="existingId"/>) a null secret means the stored one, which is only sent to the stored tenant.
    /// </summary>
    /// <exception cref="ForbiddenActionException">The user is not an Admin.</exception>
    public async Task<OperationResult<ConnectionTestResult>> TestAsync(
        ConnectionInput draft,
        Guid? existingId,
        DashboardUser user,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        await EnsureMayChangeAsync(user, AuditActions.ConnectionValidate,
            existingId is { } target ? AuditTarget.Connection(target, draft.Name?.Trim() ?? "") : NewConnectionTarget(draft.Name), "test connections", cancellationToken);

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
        var (settings, errors) = ToSettings(draft with { Name = DraftName }, requireClientSecret: existing is null,
            secretGiven: draft.ClientSecret is not null);
        if (existing is not null && draft.ClientSecret is null && !errors.ContainsKey("domain") && !SameTenant(existing, settings))
        {
            errors.Add("clientSecret", StoredSecretNeedsSameTenant);
        }

        if (errors.HasErrors)
        {
            return OperationResult<ConnectionTestResult>.Invalid(errors);
        }

        var secret = draft.ClientSecret ?? existing!.RevealClientSecret(protector);
        var transient = Connection.Create(settings, secret, protector, timeProvider.GetUtcNow());
        return OperationResult.Success(await RunTestAsync(resolver.ToSettings(transient), settings.IsSandbox, cancellationToken));
    }

    // ---- Applications (picker) -------------------------------------------------------------------------

    /// <summary>
    /// The tenant's applications for the picker, by name: all pages, without the connection's own client and the
    /// "All Applications" pseudo-client, filtered by <paramref name="search"/> (name, client id or app type).
    /// The list is cached briefly per connection; <paramref name="refresh"/> fetches it again, but only for an Admin (or a
    /// token that may change connections): listing costs the tenant's Management API budget, which a read-only user
    /// must not be able to spend at will. Others get the cached list.
    /// </summary>
    public async Task<OperationResult<ApplicationList>> ListApplicationsAsync(
        Guid connectionId,
        string? search = null,
        bool refresh = false,
        DashboardUser? requestedBy = null,
        CancellationToken cancellationToken = default)
    {
        refresh = refresh && requestedBy is { } user && user.May(ApiPermissions.ConnectionsWrite);
        ResolvedConnection resolved;
        try
        {
            resolved = await resolver.ResolveAsync(connectionId, cancellationToken);
        }
        catch (ConnectionNotFoundException)
        {
            return OperationResult<ApplicationList>.NotFound("The connection does not exist.");
        }

        var connection = resolved.Connection;
        if (!connection.IsSandbox && await addressPolicy.CheckAsync(resolved.Settings.Tenant, cancellationToken) is { } refusal)
        {
            return OperationResult<ApplicationList>.Upstream(refusal);
        }

        IReadOnlyList<Auth0Client> clients;
        DateTimeOffset fetchedAt;
        try
        {
            (clients, fetchedAt) = await applicationCache.GetAsync(
                connectionId,
                Fingerprint(connection),
                () => managementClients.Create(resolved.Settings)
                    .ListAllClientsAsync(new ListClientsRequest { Fields = PickerFields, IncludeFields = true }),
                refresh,
                cancellationToken);
        }
        catch (Auth0ApiException ex)
        {
            LogListFailed(logger, connectionId, ex.StatusCode is { } status ? (int)status : null, ex.ErrorCode);
            return OperationResult<ApplicationList>.Upstream(DescribeListFailure(ex, resolved.Settings.ClientSecret));
        }

        var owners = await ownership.FindOwnersAsync(connectionId, cancellationToken: cancellationToken);
        var applications = clients
            .Where(c => !string.Equals(c.ClientId, connection.ClientId, StringComparison.Ordinal))
            .Where(c => !string.Equals(c.ClientId, signIn.Value.SignInClientId, StringComparison.Ordinal))
            .Where(c => c.IsGlobal != true && !string.Equals(c.Name, AllApplicationsName, StringComparison.Ordinal))
            .Select(ToSummary)
            .Select(a => owners.TryGetValue(a.ClientId, out var owner) ? a with { RotatedBy = owner } : a)
            .OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase)
            .ThenBy(a => a.ClientId, StringComparer.Ordinal)
            .ToList();
        var matches = applications.Where(a => a.Matches(search)).ToList();
        return OperationResult.Success(new ApplicationList(matches, applications.Count, fetchedAt));
    }

    // ---- Helpers ---------------------------------------------------------------------------------------

    private async Task<ConnectionTestResult> RunTestAsync(Auth0ConnectionSettings settings, bool isSandbox, CancellationToken cancellationToken)
    {
        var scrubber = new SecretScrubber([settings.ClientSecret]);
        if (!isSandbox && await addressPolicy.CheckAsync(settings.Tenant, cancellationToken) is { } refusal)
        {
            return Result(false, TokenCheckOutcome.Rejected, refusal, [], ConnectionScopes.AllMissing());
        }

        var token = await tokenClient.RequestTokenWithSecretAsync(
            settings.Tenant, settings.ClientId, settings.ClientSecret, ClientSecretAuthentication.ClientSecretPost, settings.Audience, cancellationToken);
        var check = token.Check;
        var answer = DescribeAnswer(check);
        switch (check.Outcome)
        {
            case TokenCheckOutcome.Valid:
                var granted = (token.Scopes ?? new HashSet<string>()).Order(StringComparer.Ordinal).ToList();
                var missing = ConnectionScopes.FindMissing(granted);
                var lacking = missing.Where(m => m.Value.Count > 0).ToList();
                var message = lacking.Count == 0
                    ? "Connected. The token carries every scope client-secret and private_key_jwt rotations need."
                    : "Connected, but the token lacks scopes: " +
                      string.Join("; ", lacking.Select(m => $"{TypeLabel(m.Key)} rotations need {string.Join(", ", m.Value)}")) +
                      ". Grant them to the application under APIs → Auth0 Management API → Machine to Machine Applications.";
                return Result(true, check.Outcome, message, granted, missing);

            case TokenCheckOutcome.InvalidCredential:
                return Result(false, check.Outcome,
                    $"Auth0 rejected the client ID or secret ({answer}). Check both, and that the application is a Machine to Machine application.",
                    [], ConnectionScopes.AllMissing());

            case TokenCheckOutcome.AuthenticatedNotAuthorized:
                return Result(false, check.Outcome,
                    $"Auth0 accepted the credentials but issued no Management API token ({answer}). Authorize the application for the " +
                    $"Auth0 Management API (audience {settings.Audience}) and grant the scopes rotations need.",
                    [], ConnectionScopes.AllMissing());

            case TokenCheckOutcome.Transient:
                return Result(false, check.Outcome,
                    $"Auth0 could not be reached or is busy ({answer}). Try again in a moment.", [], ConnectionScopes.AllMissing());

            default:
                return Result(false, check.Outcome,
                    check.Error == "address_refused"
                        ? check.ErrorDescription ?? "The tenant's address was refused."
                        : $"Auth0 refused the token request ({answer}). Check the domain and the audience.",
                    [], ConnectionScopes.AllMissing());
        }

        ConnectionTestResult Result(
            bool ok,
            TokenCheckOutcome outcome,
            string message,
            IReadOnlyList<string> granted,
            IReadOnlyDictionary<RotationType, IReadOnlyList<string>> missing) =>
            new(ok, outcome, scrubber.ScrubAndTruncate(message, Connection.MaxValidationMessageLength), granted, missing, timeProvider.GetUtcNow());
    }

    private static string DescribeAnswer(TokenCheckResult check)
    {
        var parts = new List<string>();
        if (check.StatusCode is { } status)
        {
            parts.Add(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (!string.IsNullOrEmpty(check.Error))
        {
            parts.Add(check.Error);
        }

        var text = string.Join(' ', parts);
        if (!string.IsNullOrEmpty(check.ErrorDescription))
        {
            text = text.Length == 0 ? check.ErrorDescription : $"{text}: {check.ErrorDescription}";
        }

        return text.Length == 0 ? "no answer" : text;
    }

    private static string DescribeListFailure(Auth0ApiException ex, string secret)
    {
        var isTokenRequest = ex.Path.EndsWith("/oauth/token", StringComparison.Ordinal);
        var message = ex switch
        {
            { InnerException: Auth0AddressRefusedException refused } => refused.Message,
            { IsInsufficientScope: true } =>
                "Auth0 refused to list applications (403 insufficient_scope): grant the connection's application the read:clients scope.",
            { StatusCode: System.Net.HttpStatusCode.Unauthorized } when isTokenRequest =>
                "Auth0 rejected the connection's client ID or secret. Test the connection and update its credentials.",
            { StatusCode: System.Net.HttpStatusCode.Forbidden } when isTokenRequest =>
                $"Auth0 issued no Management API token ({ex.ApiMessage ?? ex.Error}). Authorize the application for the Auth0 Management API.",
            { IsRateLimited: true } => "Auth0's rate limit was reached while listing applications. Try again in a moment.",
            { StatusCode: null } => $"Auth0 could not be reached: {ex.Message}",
            _ => $"Auth0 answered {(int)ex.StatusCode!} while listing applications: {ex.ApiMessage ?? ex.Error ?? ex.Message}",
        };
        return new SecretScrubber([secret]).ScrubAndTruncate(message, Connection.MaxValidationMessageLength);
    }

    private static ApplicationSummary ToSummary(Auth0Client client) => new(
        client.ClientId,
        string.IsNullOrWhiteSpace(client.Name) ? client.ClientId : client.Name,
        client.AppType,
        client.UsesPrivateKeyJwt ? PrivateKeyJwtAuthMethod : client.TokenEndpointAuthMethod ?? ApplicationSummary.UnknownAuthMethod,
        string.IsNullOrWhiteSpace(client.Description) ? null : client.Description);

    private static string TypeLabel(RotationType type) => type switch
    {
        RotationType.Auth0ClientSecret => "client-secret",
        RotationType.Auth0PrivateKeyJwt => "private_key_jwt",
        _ => type.ToString(),
    };

    /// <summary>Applies defaults and the sandbox rules to what the user typed, then validates the fields.</summary>
    private (ConnectionSettings Settings, ValidationErrors Errors) ToSettings(ConnectionInput input, bool requireClientSecret, bool secretGiven)
    {
        var errors = new ValidationErrors();
        var isSandbox = input.IsSandbox ?? sandbox.IsSandboxAddress(input.Domain);
        var domain = input.Domain;
        var audience = string.IsNullOrWhiteSpace(input.Audience) ? null : input.Audience;
        if (isSandbox)
        {
            if (!sandbox.IsEnabled)
            {
                errors.Add("isSandbox", "The built-in sandbox tenant is not enabled on this server (setting Sandbox:Enabled).");
            }

            if (string.IsNullOrWhiteSpace(domain))
            {
                domain = sandbox.CurrentDomain;
            }
            else if (!SandboxConnections.HasSandboxPath(domain) && TenantUrl.TryParseBase(domain, out _, out _))
            {
                errors.Add("domain", $"A sandbox connection's domain is the built-in sandbox's address, e.g. {sandbox.CurrentDomain}.");
            }

            // The sandbox's audience follows from wherever the app listens; a typed one would be ignored.
            audience = null;
        }

        var settings = new ConnectionSettings(input.Name ?? string.Empty, domain ?? string.Empty, input.ClientId ?? string.Empty, audience, isSandbox,
            input.Description, input.ProjectId);
        errors.Merge(Connection.Validate(settings, secretGiven ? input.ClientSecret ?? string.Empty : null, requireClientSecret));
        return (settings, errors);
    }

    private ConnectionInput Merge(Connection connection, ConnectionPatch patch)
    {
        // An audience that was the old tenant's default follows a new domain; a custom one stays until changed.
        var audience = patch.Audience ?? (connection.Audience == Connection.DefaultAudience(connection.Domain) ? null : connection.Audience);
        var isSandbox = patch.IsSandbox ?? (patch.Domain is null ? connection.IsSandbox : null);
        return new ConnectionInput(
            patch.Name ?? connection.Name,
            patch.Domain ?? connection.Domain,
            patch.ClientId ?? connection.ClientId,
            patch.ClientSecret,
            audience,
            isSandbox,
            patch.Description ?? connection.Description,
            patch.ProjectId ?? connection.ProjectId);
    }

    private static bool SameTenant(Connection stored, ConnectionSettings next)
    {
        if (stored.IsSandbox || next.IsSandbox)
        {
            // Every sandbox address is this app's own sandbox.
            return stored.IsSandbox == next.IsSandbox;
        }

        return Connection.TryNormalizeDomain(next.Domain, allowHttp: false, out var domain, out _)
               && Connection.ToBaseUri(domain) == stored.BaseUri;
    }

    private async Task CheckOutboundAddressAsync(ConnectionSettings settings, ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (settings.IsSandbox || errors.ContainsKey("domain") || !Auth0TenantAddress.TryParse(settings.Domain, out var tenant, out _))
        {
            return;
        }

        if (await addressPolicy.CheckAsync(tenant, cancellationToken) is { } refusal)
        {
            errors.Add("domain", refusal);
        }
    }

    private static async Task CheckNameIsFreeAsync(
        RotationDashboardDbContext db,
        string name,
        Guid? exceptId,
        ValidationErrors errors,
        CancellationToken cancellationToken)
    {
        var trimmed = name.Trim();
        if (!errors.ContainsKey("name") && await db.Connections.AnyAsync(c => c.Name == trimmed && c.Id != exceptId, cancellationToken))
        {
            errors.Add("name", NameTakenMessage(trimmed));
        }
    }

    private async Task EnsureMayChangeAsync(DashboardUser user, string action, AuditTarget target, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        // Sessions need the Admin role, tokens connections:write (a token is never an Admin).
        if (user.May(ApiPermissions.ConnectionsWrite))
        {
            return;
        }

        var reason = user.Denial(ApiPermissions.ConnectionsWrite, what, atLocation: false);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        db.AuditEvents.Add(AuditEvent.Record(timeProvider.GetUtcNow(), user.Actor, action, target, AuditOutcome.Denied, reason));
        await db.SaveChangesAsync(cancellationToken);
        throw new ForbiddenActionException(reason);
    }

    private ConnectionView ToView(Connection connection, int rotationCount)
    {
        var granted = connection.GrantedScopeList;
        return new ConnectionView(
            connection.Id,
            connection.Name,
            connection.Method,
            connection.IsSandbox ? sandbox.CurrentDomain : connection.Domain,
            connection.ClientId,
            connection.IsSandbox && sandbox.TryGetBaseUri() is { } sandboxBase ? TenantUrl.ManagementApiAudience(sandboxBase) : connection.Audience,
            connection.IsSandbox,
            connection.LastValidatedAt,
            connection.LastValidationOk,
            connection.LastValidationMessage,
            granted,
            connection.LastValidationOk == true ? ConnectionScopes.FindMissing(granted) : ConnectionScopes.AllMissing(),
            rotationCount,
            connection.CreatedAt,
            connection.UpdatedAt,
            connection.Description,
            connection.ProjectId);
    }

    // A connection that does not exist yet has no id to record.
    private static AuditTarget NewConnectionTarget(string? name) => new(AuditTargetTypes.Connection, null, name?.Trim());

    private static Task<int> CountRotationsAsync(RotationDashboardDbContext db, Guid connectionId, CancellationToken cancellationToken) =>
        db.Rotations.CountAsync(r => r.ConnectionId == connectionId, cancellationToken);

    private static string Describe(Connection connection) =>
        $"Domain {connection.Domain}, client {connection.ClientId}, audience {connection.Audience}{(connection.IsSandbox ? ", built-in sandbox" : "")}.";

    private static List<string> Changes(
        (string Name, string Domain, string ClientId, string Audience, bool IsSandbox) before,
        Connection after,
        bool secretChanged)
    {
        var changes = new List<string>();
        if (before.Name != after.Name) changes.Add($"name (was \"{before.Name}\")");
        if (before.Domain != after.Domain) changes.Add($"domain (was {before.Domain})");
        if (before.ClientId != after.ClientId) changes.Add($"client ID (was {before.ClientId})");
        if (before.Audience != after.Audience) changes.Add($"audience (was {before.Audience})");
        if (before.IsSandbox != after.IsSandbox) changes.Add("built-in sandbox");
        if (secretChanged) changes.Add("client secret");
        return changes;
    }

    // Settings a cached application list depends on; the secret counts only as its ciphertext's hash.
    private static string Fingerprint(Connection connection) =>
        Convert.ToHexString(SHA256.HashData(
            Encoding.UTF8.GetBytes($"{connection.Domain}\n{connection.ClientId}\n{connection.Audience}\n{connection.IsSandbox}\n")
                .Concat(connection.EncryptedClientSecret).ToArray()));

    private static string NameTakenMessage(string name) => $"A connection named \"{name.Trim()}\" already exists.";

    private static string InUseMessage(string name, IReadOnlyList<string> rotations) =>
        $"Connection \"{name}\" is used by {rotations.Count} rotation{(rotations.Count == 1 ? "" : "s")} " +
        $"({string.Join(", ", rotations.Take(5))}{(rotations.Count > 5 ? ", …" : "")}). Delete those rotations first.";

    private static bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId} ({Name}) created by {Actor}")]
    private static partial void LogCreated(ILogger logger, Guid connectionId, string name, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId} ({Name}) tested: {Outcome}, ok {Ok}")]
    private static partial void LogValidated(ILogger logger, Guid connectionId, string name, TokenCheckOutcome outcome, bool ok);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing applications of connection {ConnectionId} failed: status {Status}, error code {ErrorCode}")]
    private static partial void LogListFailed(ILogger logger, Guid connectionId, int? status, string? errorCode);
}
