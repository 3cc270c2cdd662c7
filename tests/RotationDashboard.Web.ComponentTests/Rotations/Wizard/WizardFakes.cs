using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Web.Application.Connections;
using RotationDashboard.Web.Application.Rotations;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Rotations;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.ComponentTests.Rotations.Wizard;

/// <summary>The wizard's seam over an in-memory tenant list, one project with two environments, and a folder's taken names.</summary>
internal sealed class FakeWizardBackend : IRotationWizardBackend
{
    public static readonly Guid ProjectId = Guid.NewGuid();
    public static readonly FolderSummary DevRoot = new(Guid.NewGuid(), Guid.NewGuid(), "/", DateTimeOffset.UnixEpoch);

    public List<ConnectionView> Connections { get; } = [];

    /// <summary>Secret names already taken in the dev folder.</summary>
    public HashSet<string> TakenNames { get; } = new(StringComparer.Ordinal);

    /// <summary>Rotation names already used in the dev folder.</summary>
    public HashSet<string> TakenRotationNames { get; } = new(StringComparer.Ordinal);

    public CreateRotationRequest? Created { get; private set; }

    public RunView? FirstRun { get; set; }

    public static ConnectionView Connection(string name, bool? tested = true, string? message = null,
        IReadOnlyDictionary<RotationType, IReadOnlyList<string>>? missing = null) =>
        new(Guid.NewGuid(), name, "client_secret", $"{name}.example.auth0.com", "m2m-client", "https://api", IsSandbox: true,
            tested is null ? null : DateTimeOffset.UnixEpoch, tested, message, [],
            missing ?? new Dictionary<RotationType, IReadOnlyList<string>>(), 0, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    public Task<IReadOnlyList<ConnectionView>> ListConnectionsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ConnectionView>>(Connections.ToList());

    public Task<OperationResult<ConnectionTestResult>> TestConnectionAsync(Guid connectionId, DashboardUser user, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The tests use connections that were tested already.");

    public Task<IReadOnlyList<ProjectSummary>> ListProjectsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ProjectSummary>>([new ProjectSummary(ProjectId, "Default", "default", DateTimeOffset.UnixEpoch)]);

    public Task<IReadOnlyList<EnvironmentSummary>> ListEnvironmentsAsync(Guid projectId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<EnvironmentSummary>>(
            [new EnvironmentSummary(DevRoot.EnvironmentId, projectId, "dev", "Development", 0), new EnvironmentSummary(Guid.NewGuid(), projectId, "staging", "Staging", 1)]);

    public Task<IReadOnlyList<FolderSummary>> ListFoldersAsync(Guid environmentId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<FolderSummary>>([DevRoot with { EnvironmentId = environmentId }]);

    public Task<FolderSummary?> FindFolderAsync(Guid projectId, string environmentSlug, string path, CancellationToken cancellationToken = default) =>
        Task.FromResult<FolderSummary?>(path == "/" ? DevRoot : null);

    public Task<ValidationErrors> CheckMappingNamesAsync(Guid folderId, IReadOnlyCollection<string> keys, Guid? exceptRotationId, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var taken = keys.Where(TakenNames.Contains).ToList();
        if (taken.Count > 0)
        {
            errors.Add("secretsMapping", $"Secrets already exist at the path \"/\": {string.Join(", ", taken)}");
        }

        return Task.FromResult(errors);
    }

    public Task<ValidationErrors> CheckApplicationOwnerAsync(Guid connectionId, string clientId, Guid? exceptRotationId, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ValidationErrors());

    public Task<RotationView?> FindByNameAsync(Guid projectId, string environmentSlug, string secretPath, string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(TakenRotationNames.Contains(name) ? View(Guid.NewGuid(), name) : null);

    public Task<RotationView?> GetAsync(Guid id, CancellationToken cancellationToken = default) =>
        Task.FromResult<RotationView?>(Created is null ? null : View(id, Created.Settings.Name, Created.Settings));

    public Task<RunView?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default) => Task.FromResult(FirstRun);

    public Task<OperationResult<RotationCreation>> StartCreateAsync(CreateRotationRequest request, DashboardUser user, CancellationToken cancellationToken = default)
    {
        Created = request;
        var rotationId = Guid.NewGuid();
        FirstRun = Run(rotationId, request.Settings.Strategy ?? RotationStrategy.Staged);
        return Task.FromResult(OperationResult.Success(new RotationCreation(rotationId, FirstRun.Id, Task.CompletedTask)));
    }

    public Task<OperationResult<RotationView>> UpdateAsync(Guid id, RotationChanges changes, DashboardUser user, long? expectedRowVersion, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The tests create rotations.");

    private static RunView Run(Guid rotationId, RotationStrategy strategy) =>
        new(Guid.NewGuid(), rotationId, RunTrigger.Create, "user:ada@example.com", strategy, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(3),
            RunStatus.Succeeded, 1, null, null,
            StrategyPlan.StepsFor(strategy).Select((name, i) => new RunStepView(i, name, RunStepStatus.Succeeded, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(1), null)).ToList());

    private static RotationView View(Guid id, string name, RotationSettings? settings = null) =>
        new(id, settings ?? new RotationSettings { Name = name, Type = RotationType.Auth0ClientSecret, Parameters = new RotationParameters("client"), SecretsMapping = new SecretsMapping("A", ClientSecret: "B") },
            0, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, RotationSlugs.Success, null, null, null, null,
            new RotationConnectionRef("auth0", "sandbox", Guid.NewGuid()), new RotationEnvironmentRef("dev", "Development", DevRoot.EnvironmentId),
            new RotationFolderRef(DevRoot.Id, "/"), null, false, null, 1, false, null);
}

/// <summary>The picker's one call, answered when the test says so (to see the loading state) or at once.</summary>
internal sealed class FakeApplications : IListApplications
{
    private TaskCompletionSource<OperationResult<ApplicationList>>? _pending;

    public List<ApplicationSummary> Applications { get; } = [];

    public string? Failure { get; set; }

    public int Calls { get; private set; }

    /// <summary>Holds the next answer until <see cref="Release"/>.</summary>
    public void Hold() => _pending = new TaskCompletionSource<OperationResult<ApplicationList>>(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _pending!.SetResult(Answer());

    public Task<OperationResult<ApplicationList>> ExecuteAsync(Guid connectionId, string? search = null, bool refresh = false, DashboardUser? requestedBy = null,
        CancellationToken cancellationToken = default)
    {
        Calls++;
        return _pending?.Task ?? Task.FromResult(Answer());
    }

    private OperationResult<ApplicationList> Answer() => Failure is { } failure
        ? OperationResult<ApplicationList>.Fail(new OperationFailure(OperationFailureKind.Upstream, failure, new Dictionary<string, string[]>()))
        : OperationResult.Success(new ApplicationList(Applications.ToList(), Applications.Count, DateTimeOffset.UtcNow));
}

/// <summary>Nobody publishes in these tests: the fake create has finished its run before it returns.</summary>
internal sealed class SilentNotifier : IRotationRunNotifier
{
    public IDisposable Subscribe(Action<RotationEvent> handler) => new Nothing();

    public void Publish(RotationEvent rotationEvent)
    {
    }

    private sealed class Nothing : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
