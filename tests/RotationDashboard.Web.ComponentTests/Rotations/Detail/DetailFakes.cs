using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Web.Application.Rotations;
using RotationDashboard.Web.Notifications;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.ComponentTests.Rotations.Detail;

/// <summary>The detail page's reads, answered from fields a test sets; <see cref="Gate"/> holds a read to show the loading state.</summary>
public sealed class FakeRotationReads : IRotationDetailReads
{
    public RotationView? Rotation { get; set; }

    public Dictionary<Guid, RunView> Runs { get; } = [];

    public List<RunView> History { get; set; } = [];

    public GeneratedCredentialsView? Slots { get; set; }

    public Exception? HistoryError { get; set; }

    public TaskCompletionSource? Gate { get; set; }

    public List<(int Skip, int Take)> HistoryReads { get; } = [];

    public async Task<RotationView?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        if (Gate is { } gate) await gate.Task;
        return Rotation?.Id == id ? Rotation : null;
    }

    public Task<RunView?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Runs.GetValueOrDefault(runId));

    public async Task<PagedResult<RunView>> GetRunsAsync(Guid rotationId, int skip = 0, int take = 20, CancellationToken cancellationToken = default)
    {
        if (Gate is { } gate) await gate.Task;
        HistoryReads.Add((skip, take));
        if (HistoryError is { } error) throw error;
        return new PagedResult<RunView>(History.Skip(skip).Take(take).ToList(), History.Count);
    }

    public Task<GeneratedCredentialsView?> GetCredentialSlotsAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(Slots);
}

public sealed class FakeRotateNow : IRotateNow
{
    public Func<Guid, OperationResult<RotateNowResult>>? Answer { get; set; }

    public List<(Guid Id, RunTrigger Trigger, DashboardUser User)> Calls { get; } = [];

    public Task<OperationResult<RotateNowResult>> ExecuteAsync(Guid id, RunTrigger trigger, DashboardUser user, bool waitForCompletion, CancellationToken cancellationToken = default)
    {
        Calls.Add((id, trigger, user));
        return Task.FromResult(Answer!(id));
    }
}

public sealed class FakeRevealCredentials : IRevealCredentials
{
    public Func<OperationResult<GeneratedCredentialsView>> Answer { get; set; } = () => throw new InvalidOperationException("No reveal expected.");

    public List<DashboardUser> Calls { get; } = [];

    public Task<OperationResult<GeneratedCredentialsView>> ExecuteAsync(Guid id, DashboardUser user, CancellationToken cancellationToken = default)
    {
        Calls.Add(user);
        return Task.FromResult(Answer());
    }
}

public sealed class FakeDeleteRotation : IDeleteRotation
{
    public Func<OperationResult<RotationView>>? Answer { get; set; }

    public List<(Guid Id, bool Revoke, bool DeleteSecrets)> Calls { get; } = [];

    public Task<OperationResult<RotationView>> ExecuteAsync(Guid id, bool revokeGeneratedCredentials, bool deleteSecrets, DashboardUser user, CancellationToken cancellationToken = default)
    {
        Calls.Add((id, revokeGeneratedCredentials, deleteSecrets));
        return Task.FromResult(Answer!());
    }
}

public sealed class FakeUpdateRotation : IUpdateRotation
{
    public Func<RotationChanges, OperationResult<RotationView>>? Answer { get; set; }

    public List<RotationChanges> Calls { get; } = [];

    public Task<OperationResult<RotationView>> ExecuteAsync(Guid id, RotationChanges changes, DashboardUser user, long? expectedRowVersion = null, CancellationToken cancellationToken = default)
    {
        Calls.Add(changes);
        return Task.FromResult(Answer!(changes));
    }
}

public sealed class FakeRunDurations : IRotationRunDurations
{
    public List<RunDuration> Durations { get; set; } = [];

    public Exception? Error { get; set; }

    public int Reads { get; private set; }

    public Task<IReadOnlyList<RunDuration>> GetAsync(Guid rotationId, int take = 30, CancellationToken cancellationToken = default)
    {
        Reads++;
        return Error is { } error ? Task.FromException<IReadOnlyList<RunDuration>>(error) : Task.FromResult<IReadOnlyList<RunDuration>>(Durations.ToList());
    }
}

public sealed class FakeLatestDelivery : ILatestRotationDelivery
{
    public DeliveryView? Latest { get; set; }

    public Task<DeliveryView?> LatestForRotationAsync(Guid rotationId, CancellationToken cancellationToken = default) => Task.FromResult(Latest);
}
