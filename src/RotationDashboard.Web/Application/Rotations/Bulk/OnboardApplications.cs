using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Application.Common;
using RotationDashboard.Web.Application.Connections;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Application.Rotations.Bulk;

/// <summary>Bulk onboarding: one rotation per application of a tenant, named by patterns (<see cref="OnboardingPatterns"/>).</summary>
public sealed record BulkOnboardingRequest
{
    public Guid ConnectionId { get; init; }

    public IReadOnlyList<string> ClientIds { get; init; } = [];

    public Guid ProjectId { get; init; }

    public string Environment { get; init; } = string.Empty;

    public string SecretPath { get; init; } = "/";

    public RotationType Type { get; init; } = RotationType.Auth0ClientSecret;

    public RotationStrategy? Strategy { get; init; }

    public string NamePattern { get; init; } = OnboardingPatterns.DefaultName;

    /// <summary>The client secret's name (Private Key JWT: the private key's).</summary>
    public string SecretNamePattern { get; init; } = OnboardingPatterns.DefaultClientSecret;

    public string ClientIdNamePattern { get; init; } = OnboardingPatterns.DefaultClientId;

    /// <summary>Private Key JWT only: the key id's name.</summary>
    public string KeyIdNamePattern { get; init; } = OnboardingPatterns.DefaultKeyId;

    public bool IsAutoRotationEnabled { get; init; } = true;

    public int RotationInterval { get; init; } = 30;

    public bool SwitchToPrivateKeyJwt { get; init; }
}

/// <summary>One application of the plan: the names it would get, and why it cannot be onboarded (empty: it can).</summary>
public sealed record OnboardingPlanItem(string ClientId, string ApplicationName, string RotationName, IReadOnlyList<string> SecretNames, IReadOnlyList<string> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Creates rotations for many applications of a tenant in one go. Everything is validated first, from the database and
/// the tenant's (cached) application list: names valid and unique (in the request and in the folder), secret names
/// free, applications in the tenant and not owned by another rotation. One invalid application refuses the whole
/// request with a per-application error and changes nothing; otherwise each rotation is created through
/// <see cref="CreateRotation"/> (first issuance included) as an item of a bulk operation, paced like a bulk rotation.
/// </summary>
public sealed class OnboardApplications(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    ListApplications applications,
    ApplicationOwnership ownership,
    CreateRotation createRotation,
    PermissionGuard guard,
    TenantBudgets budgets,
    BulkOperationRunner runner,
    IOptions<BulkRotationOptions> options,
    TimeProvider timeProvider)
{
    /// <summary>The names each application would get and what is wrong with each, without creating anything (the preview).</summary>
    public async Task<OperationResult<IReadOnlyList<OnboardingPlanItem>>> PlanAsync(BulkOnboardingRequest request, DashboardUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        var clientIds = request.ClientIds.Select(c => c.Trim()).Where(c => c.Length > 0).ToList();
        if (clientIds.Count == 0) errors.Add("clientIds", "Choose at least one application.");
        if (clientIds.Count > options.Value.MaxItems) errors.Add("clientIds", $"At most {options.Value.MaxItems} applications at once (BulkRotation:MaxItems).");
        foreach (var (field, pattern) in Patterns(request))
        {
            if (!OnboardingPatterns.IsPerApplication(pattern))
                errors.Add(field, "The pattern must contain {app}, {APP} or {clientId}, so each application gets its own name.");
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var folder = await FindFolderAsync(db, request, errors, cancellationToken);
        if (errors.HasErrors)
            return OperationResult<IReadOnlyList<OnboardingPlanItem>>.Invalid(errors);

        var listed = await applications.ExecuteAsync(request.ConnectionId, requestedBy: user, cancellationToken: cancellationToken);
        if (listed.Succeeded && clientIds.Except(listed.Value.Applications.Select(a => a.ClientId), StringComparer.Ordinal).Any())
        {
            // The list is cached briefly: an application created since is listed again (for those who may spend the budget).
            listed = await applications.ExecuteAsync(request.ConnectionId, refresh: true, requestedBy: user, cancellationToken: cancellationToken);
        }

        if (!listed.Succeeded)
            return OperationResult<IReadOnlyList<OnboardingPlanItem>>.Fail(listed.Failure!);
        var names = listed.Value.Applications.ToDictionary(a => a.ClientId, a => a.Name, StringComparer.Ordinal);
        var owners = await ownership.FindOwnersAsync(request.ConnectionId, cancellationToken: cancellationToken);

        var plan = new List<OnboardingPlanItem>(clientIds.Count);
        var usedNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var clientId in clientIds)
        {
            var problems = new List<string>();
            var appName = names.GetValueOrDefault(clientId);
            if (appName is null) problems.Add("Not an application of this tenant (or the connection's own).");
            var settings = Settings(request, clientId, appName ?? clientId, folder!);
            var keys = settings.SecretsMapping.SecretKeys.ToList();
            var checks = RotationRules.Validate(settings);
            await CheckMappingNames.CheckFolderConflictsAsync(db, folder!, settings.Name, keys, exceptRotationId: null, checks, cancellationToken);
            problems.AddRange(checks.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")));
            if (owners.TryGetValue(clientId, out var owner))
                problems.Add($"Already rotated by \"{owner.RotationName}\" in {owner.Location}: a credential has one owner.");
            foreach (var name in keys.Prepend(settings.Name))
            {
                if (!usedNames.TryAdd(name, clientId))
                    problems.Add($"\"{name}\" is also the name given to {usedNames[name]} in this request: change the pattern.");
            }

            plan.Add(new OnboardingPlanItem(clientId, appName ?? "", settings.Name, keys, problems));
        }

        return OperationResult.Success<IReadOnlyList<OnboardingPlanItem>>(plan);
    }

    /// <summary>
    /// Validates the whole request (<see cref="PlanAsync"/>); with any problem nothing is created and the errors are keyed
    /// <c>applications[clientId]</c>. Otherwise starts the bulk operation and returns its id.
    /// </summary>
    /// <exception cref="ForbiddenActionException">The caller may not create rotations there.</exception>
    public async Task<OperationResult<Guid>> ExecuteAsync(BulkOnboardingRequest request, DashboardUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(user);
        await guard.EnsureAsync(user, ApiPermissions.RotationsWrite, new ResourceLocation(request.ProjectId, request.Environment.Trim(), request.SecretPath),
            BulkAudit.Onboard, "create rotations", new AuditTarget(BulkAudit.TargetType, null, $"onboarding of {request.ClientIds.Count} application(s)"), cancellationToken);
        var planned = await PlanAsync(request, user, cancellationToken);
        if (!planned.Succeeded)
            return OperationResult<Guid>.Fail(planned.Failure!);
        var refused = new ValidationErrors();
        foreach (var item in planned.Value.Where(i => !i.IsValid))
        {
            foreach (var error in item.Errors) refused.Add($"applications[{item.ClientId}]", error);
        }

        if (refused.HasErrors)
            return OperationResult<Guid>.Invalid(refused);

        var (rate, inFlight) = await budgets.ForAsync([request.ConnectionId], cancellationToken);
        var operation = BulkOperation.Start(BulkOperationKind.Onboard, $"onboarding of {planned.Value.Count} application(s) into {request.Environment.Trim()}:{request.SecretPath}",
            request.ConnectionId, user.Actor.ToString(), timeProvider.GetUtcNow(), rate, inFlight);
        var work = new List<BulkItemWork>(planned.Value.Count);
        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            var folder = await FindFolderAsync(db, request, new ValidationErrors(), cancellationToken);
            foreach (var item in planned.Value)
            {
                operation.AddItem(null, item.RotationName, item.ClientId);
                var create = new CreateRotationRequest
                {
                    Settings = Settings(request, item.ClientId, item.ApplicationName, folder!),
                    Environment = request.Environment.Trim(),
                    SecretPath = request.SecretPath,
                    SwitchToPrivateKeyJwt = request.SwitchToPrivateKeyJwt,
                };
                work.Add(ct => CreateAsync(create, user, ct));
            }
        }

        return OperationResult.Success(await runner.LaunchAsync(operation, work, user.Actor, BulkAudit.Onboard, cancellationToken));
    }

    private async Task<BulkItemOutcome> CreateAsync(CreateRotationRequest request, DashboardUser user, CancellationToken cancellationToken)
    {
        var created = await createRotation.ExecuteAsync(request, user, cancellationToken);
        if (!created.Succeeded)
            return new BulkItemOutcome(false, created.Failure!.Message);
        var rotation = created.Value;
        return rotation.RotationStatus == "failed"
            ? new BulkItemOutcome(false, $"Created, but the first issuance failed (rotate it again once fixed): {rotation.LastRotationMessage}", rotation.Id, rotation.LastRotationJobId)
            : new BulkItemOutcome(true, null, rotation.Id, rotation.LastRotationJobId);
    }

    private static IEnumerable<(string Field, string Pattern)> Patterns(BulkOnboardingRequest request)
    {
        yield return ("namePattern", request.NamePattern);
        yield return ("secretNamePattern", request.SecretNamePattern);
        yield return ("clientIdNamePattern", request.ClientIdNamePattern);
        if (request.Type == RotationType.Auth0PrivateKeyJwt)
            yield return ("keyIdNamePattern", request.KeyIdNamePattern);
    }

    private static RotationSettings Settings(BulkOnboardingRequest request, string clientId, string appName, Folder folder)
    {
        string Name(string pattern) => OnboardingPatterns.Apply(pattern, appName, clientId);
        var isKey = request.Type == RotationType.Auth0PrivateKeyJwt;
        return new RotationSettings
        {
            Name = Name(request.NamePattern),
            Type = request.Type,
            Strategy = request.Strategy,
            ConnectionId = request.ConnectionId,
            ProjectId = request.ProjectId,
            EnvironmentId = folder.EnvironmentId,
            FolderId = folder.Id,
            Parameters = new RotationParameters(clientId),
            SecretsMapping = isKey
                ? new SecretsMapping(Name(request.ClientIdNamePattern), PrivateKey: Name(request.SecretNamePattern), KeyId: Name(request.KeyIdNamePattern))
                : new SecretsMapping(Name(request.ClientIdNamePattern), ClientSecret: Name(request.SecretNamePattern)),
            IsAutoRotationEnabled = request.IsAutoRotationEnabled,
            RotationInterval = request.RotationInterval,
        };
    }

    private static async Task<Folder?> FindFolderAsync(RotationDashboardDbContext db, BulkOnboardingRequest request, ValidationErrors errors, CancellationToken cancellationToken)
    {
        var slug = request.Environment.Trim();
        var environment = await db.Environments.AsNoTracking().SingleOrDefaultAsync(e => e.ProjectId == request.ProjectId && e.Slug == slug, cancellationToken);
        if (environment is null)
        {
            errors.Add("environment", $"Environment \"{slug}\" does not exist in the project.");
            return null;
        }

        if (!FolderPath.TryNormalize(request.SecretPath, out var path, out var pathError))
        {
            errors.Add("secretPath", pathError!);
            return null;
        }

        var folder = await db.Folders.AsNoTracking().SingleOrDefaultAsync(f => f.EnvironmentId == environment.Id && f.Path == path, cancellationToken);
        if (folder is null) errors.Add("secretPath", $"Folder \"{path}\" does not exist in environment \"{slug}\".");
        return folder;
    }
}
