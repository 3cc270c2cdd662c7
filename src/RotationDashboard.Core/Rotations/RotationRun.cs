using System.Text.Json;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Security;

namespace RotationDashboard.Core.Rotations;

public enum RunTrigger
{
    Create,
    Schedule,
    Manual,
    Api,
}

public enum RunStatus
{
    Running,
    Succeeded,
    Failed,

    /// <summary>Could not finish; put back to a state where the consumers' credential still works.</summary>
    RolledBack,
}

/// <summary>The steps every strategy goes through (AWS Secrets Manager's create/set/test/finish, plus retire).</summary>
public enum RunStepName
{
    Generate,
    Publish,
    Apply,
    Verify,
    Promote,
    Retire,
}

public enum RunStepStatus
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Skipped,
}

/// <summary>
/// One execution of a rotation, persisted step by step so a crash loses nothing: the new credential is stored
/// encrypted (write-ahead) before Auth0 is touched. Messages are scrubbed; runs hold no plaintext secret.
/// </summary>
public sealed class RotationRun
{
    public const int MaxMessageLength = 1024;
    public const int MaxCheckpointLength = 4000;

    private static readonly JsonSerializerOptions CredentialJson = new(JsonSerializerDefaults.Web);

    private readonly List<RunStep> _steps = [];

    private RotationRun()
    {
        ActorName = string.Empty;
    }

    /// <summary>Also the rotation's <see cref="Rotation.LastRotationJobId"/>.</summary>
    public Guid Id { get; private set; }

    public Guid RotationId { get; private set; }

    public RunTrigger Trigger { get; private set; }

    public ActorType ActorType { get; private set; }

    public string ActorName { get; private set; }

    public RotationStrategy Strategy { get; private set; }

    public DateTimeOffset StartedAt { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    public RunStatus Status { get; private set; }

    /// <summary>1 for the first try; retries of the same trigger count up.</summary>
    /// <summary>Executions of this run: 1, plus one for every resume after an interruption (restart, crash, lost lease).</summary>
    public int Attempt { get; private set; }

    /// <summary>Outcome summary, scrubbed of secrets.</summary>
    public string? Message { get; private set; }

    /// <summary>The new credential, encrypted, stored before Auth0 is changed; cleared once it is safely live or discarded.</summary>
    public byte[]? EncryptedPendingCredential { get; private set; }

    /// <summary>
    /// Non-secret facts a resumed run or a rollback needs (JSON, written by the rotation engine): for example the
    /// credentials attached in Auth0 before Apply, or the authentication method to restore.
    /// </summary>
    public string? Checkpoint { get; private set; }

    public IReadOnlyList<RunStep> Steps => _steps;

    public bool IsFinished => Status != RunStatus.Running;

    /// <summary>Runs a person (or API caller) asked for; they count as manual for scheduling.</summary>
    public bool IsManual => Trigger is RunTrigger.Create or RunTrigger.Manual or RunTrigger.Api;

    /// <summary>The first step that is neither finished nor skipped: where a resumed run continues.</summary>
    public RunStep? NextStep => _steps.FirstOrDefault(s => s.Status is RunStepStatus.Pending or RunStepStatus.Running);

    /// <summary>The run continues after an interruption: it keeps its trigger and counts one more attempt.</summary>
    public void RecordResume()
    {
        if (IsFinished)
        {
            throw new InvalidOperationException("A finished run does not resume.");
        }

        Attempt++;
    }

    public static RotationRun Start(Rotation rotation, RunTrigger trigger, Actor actor, DateTimeOffset now, int attempt = 1)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var run = new RotationRun
        {
            Id = Guid.NewGuid(),
            RotationId = rotation.Id,
            Trigger = trigger,
            ActorType = actor.Type,
            ActorName = actor.Name,
            Strategy = rotation.Strategy,
            StartedAt = now.ToUniversalTime(),
            Status = RunStatus.Running,
            Attempt = attempt,
        };
        foreach (var name in Enum.GetValues<RunStepName>())
        {
            run._steps.Add(RunStep.Create(run.Id, (int)name + 1, name));
        }

        return run;
    }

    public RunStep Step(RunStepName name) => _steps.Single(s => s.Name == name);

    public RunStep StartStep(RunStepName name, DateTimeOffset now)
    {
        EnsureRunning();
        var step = Step(name);
        step.Start(now);
        return step;
    }

    public RunStep CompleteStep(RunStepName name, string? message, SecretScrubber scrubber, DateTimeOffset now)
    {
        EnsureRunning();
        var step = Step(name);
        step.Complete(scrubber.ScrubAndTruncate(message, RunStep.MaxMessageLength), now);
        return step;
    }

    public RunStep FailStep(RunStepName name, string message, SecretScrubber scrubber, DateTimeOffset now)
    {
        EnsureRunning();
        var step = Step(name);
        step.Fail(scrubber.ScrubAndTruncate(message, RunStep.MaxMessageLength), now);
        return step;
    }

    /// <summary>Records a note on a step that has not finished (e.g. what it is waiting for), scrubbed.</summary>
    public RunStep NoteStep(RunStepName name, string note, SecretScrubber scrubber)
    {
        EnsureRunning();
        var step = Step(name);
        step.Note(scrubber.ScrubAndTruncate(note, RunStep.MaxMessageLength));
        return step;
    }

    public RunStep SkipStep(RunStepName name, string reason, DateTimeOffset now)
    {
        EnsureRunning();
        var step = Step(name);
        step.Skip(reason, now);
        return step;
    }

    /// <summary>Write-ahead: persist the new credential before Auth0 is changed.</summary>
    public void StorePendingCredential(GeneratedCredential credential, ISecretProtector protector)
    {
        ArgumentNullException.ThrowIfNull(credential);
        EnsureRunning();
        var json = JsonSerializer.Serialize(credential, CredentialJson);
        EncryptedPendingCredential = protector.ProtectString(json, ProtectionPurposes.RunPendingCredential(Id));
    }

    /// <summary>Replaces the engine's checkpoint (never a secret value).</summary>
    public void SetCheckpoint(string? checkpoint)
    {
        EnsureRunning();
        if (checkpoint is { Length: > MaxCheckpointLength })
        {
            throw new ArgumentException($"A run checkpoint is at most {MaxCheckpointLength} characters.", nameof(checkpoint));
        }

        Checkpoint = checkpoint;
    }

    public GeneratedCredential? ReadPendingCredential(ISecretProtector protector)
    {
        if (EncryptedPendingCredential is not { } blob)
        {
            return null;
        }

        var json = protector.UnprotectString(blob, ProtectionPurposes.RunPendingCredential(Id));
        return JsonSerializer.Deserialize<GeneratedCredential>(json, CredentialJson);
    }

    public void Succeed(string? message, SecretScrubber scrubber, DateTimeOffset now)
    {
        Finish(RunStatus.Succeeded, message, scrubber, now);
        EncryptedPendingCredential = null;
    }

    /// <summary>
    /// The run gave up. The pending credential is kept (encrypted) because Auth0 may already hold it:
    /// recovery needs it.
    /// </summary>
    public void Fail(string message, SecretScrubber scrubber, DateTimeOffset now) =>
        Finish(RunStatus.Failed, message, scrubber, now);

    /// <summary>The run was undone; the consumers' credential still works and the new one is discarded.</summary>
    public void RollBack(string message, SecretScrubber scrubber, DateTimeOffset now)
    {
        Finish(RunStatus.RolledBack, message, scrubber, now);
        EncryptedPendingCredential = null;
    }

    public override string ToString() => $"RotationRun {Id} ({Trigger}, {Status})";

    private void Finish(RunStatus status, string? message, SecretScrubber scrubber, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(scrubber);
        EnsureRunning();
        Status = status;
        FinishedAt = now.ToUniversalTime();
        Message = scrubber.ScrubAndTruncate(message, MaxMessageLength);
        foreach (var step in _steps.Where(s => s.Status == RunStepStatus.Pending))
        {
            step.Skip(status == RunStatus.Succeeded ? "Not needed." : "Not reached.", now);
        }
    }

    private void EnsureRunning()
    {
        if (IsFinished)
        {
            throw new InvalidOperationException($"Run {Id} already finished ({Status}).");
        }
    }
}

/// <summary>One step of a run, with its own status, timestamps and scrubbed message.</summary>
public sealed class RunStep
{
    public const int MaxMessageLength = 1024;

    private RunStep()
    {
    }

    public Guid Id { get; private set; }

    public Guid RunId { get; private set; }

    /// <summary>1-based position in the run.</summary>
    public int Order { get; private set; }

    public RunStepName Name { get; private set; }

    public RunStepStatus Status { get; private set; }

    public DateTimeOffset? StartedAt { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    public string? Message { get; private set; }

    public bool IsFinished => Status is RunStepStatus.Succeeded or RunStepStatus.Failed or RunStepStatus.Skipped;

    internal static RunStep Create(Guid runId, int order, RunStepName name) =>
        new() { Id = Guid.NewGuid(), RunId = runId, Order = order, Name = name, Status = RunStepStatus.Pending };

    internal void Start(DateTimeOffset now)
    {
        if (IsFinished)
        {
            throw new InvalidOperationException($"Step {Name} already finished ({Status}).");
        }

        // A resumed run starts its interrupted step again; keep the first start time.
        Status = RunStepStatus.Running;
        StartedAt ??= now.ToUniversalTime();
    }

    internal void Note(string? scrubbedMessage)
    {
        if (IsFinished)
        {
            throw new InvalidOperationException($"Step {Name} already finished ({Status}).");
        }

        Message = scrubbedMessage;
    }

    internal void Complete(string? scrubbedMessage, DateTimeOffset now) => Finish(RunStepStatus.Succeeded, scrubbedMessage, now);

    internal void Fail(string? scrubbedMessage, DateTimeOffset now) => Finish(RunStepStatus.Failed, scrubbedMessage, now);

    internal void Skip(string? reason, DateTimeOffset now) => Finish(RunStepStatus.Skipped, reason, now);

    private void Finish(RunStepStatus status, string? message, DateTimeOffset now)
    {
        if (IsFinished)
        {
            throw new InvalidOperationException($"Step {Name} already finished ({Status}).");
        }

        Status = status;
        FinishedAt = now.ToUniversalTime();
        Message = message is { Length: > MaxMessageLength } ? message[..MaxMessageLength] : message;
    }
}
