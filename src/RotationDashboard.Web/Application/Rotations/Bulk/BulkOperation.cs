namespace RotationDashboard.Web.Application.Rotations.Bulk;

/// <summary>What a bulk operation does to each of its items.</summary>
public enum BulkOperationKind
{
    /// <summary>Rotate existing rotations now (incident response: every credential of a tenant, or a filtered set).</summary>
    Rotate,

    /// <summary>Create a rotation (and issue its first credential) for each of many applications of a tenant.</summary>
    Onboard,
}

public enum BulkOperationStatus
{
    Running,
    Completed,

    /// <summary>The process stopped while items were still queued or running; they are recorded as failed.</summary>
    Interrupted,
}

public enum BulkItemState
{
    Queued,
    Running,
    Succeeded,
    Failed,
}

/// <summary>
/// One bulk rotation or onboarding: who started it, which set (described in words, never a secret), the budget it was
/// paced to, and its items. Kept in the database so progress and the summary survive a restart and can be read later.
/// </summary>
public sealed class BulkOperation
{
    public Guid Id { get; private set; }

    public BulkOperationKind Kind { get; private set; }

    public BulkOperationStatus Status { get; private set; }

    /// <summary>"connection Acme prod" or "filter: project default, status failed": what the starter chose.</summary>
    public string SetDescription { get; private set; } = string.Empty;

    public Guid? ConnectionId { get; private set; }

    public string StartedBy { get; private set; } = string.Empty;

    public DateTimeOffset StartedAt { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    /// <summary>The tenant's Management API budget (requests/s) the runs were paced to.</summary>
    public double RequestsPerSecond { get; private set; }

    public int MaxInFlight { get; private set; }

    public List<BulkOperationItem> Items { get; private set; } = [];

    public static BulkOperation Start(
        BulkOperationKind kind, string setDescription, Guid? connectionId, string startedBy, DateTimeOffset now, double requestsPerSecond, int maxInFlight) => new()
    {
        Id = Guid.NewGuid(),
        Kind = kind,
        Status = BulkOperationStatus.Running,
        SetDescription = setDescription,
        ConnectionId = connectionId,
        StartedBy = startedBy,
        StartedAt = now,
        RequestsPerSecond = requestsPerSecond,
        MaxInFlight = maxInFlight,
    };

    public BulkOperationItem AddItem(Guid? rotationId, string name, string clientId)
    {
        var item = new BulkOperationItem
        {
            Id = Guid.NewGuid(),
            OperationId = Id,
            Position = Items.Count,
            RotationId = rotationId,
            Name = name,
            ClientId = clientId,
            State = BulkItemState.Queued,
        };
        Items.Add(item);
        return item;
    }

    public void Finish(BulkOperationStatus status, DateTimeOffset now)
    {
        Status = status;
        FinishedAt = now;
    }
}

/// <summary>One rotation of a bulk operation and how its run went.</summary>
public sealed class BulkOperationItem
{
    public Guid Id { get; set; }

    public Guid OperationId { get; set; }

    public int Position { get; set; }

    /// <summary>The rotation (for onboarding: once created).</summary>
    public Guid? RotationId { get; set; }

    public string Name { get; set; } = string.Empty;

    public string ClientId { get; set; } = string.Empty;

    public BulkItemState State { get; set; }

    public Guid? RunId { get; set; }

    /// <summary>Why it failed (the run's message, which never carries a credential), or a note on success.</summary>
    public string? Message { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}
