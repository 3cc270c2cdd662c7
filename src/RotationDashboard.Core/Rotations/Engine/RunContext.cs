using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Scheduling;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Core.Security;
using RotationDashboard.Core.Rotations.Engine.Steps;

namespace RotationDashboard.Core.Rotations.Engine;

/// <summary>The ports and settings every run uses; one instance per runner.</summary>
internal sealed record RunServices(
    IRunStore Store,
    ICredentialAuthorityFactory Authorities,
    IRotationSecretStore Secrets,
    IKeyPairGenerator KeyPairs,
    IRotationRunNotifier Notifier,
    NextRotationCalculator Calculator,
    ISecretProtector Protector,
    IOptions<RotationEngineOptions> EngineOptions,
    TimeProvider Time,
    ILogger Logger,
    LeadTimeWakeups LeadTimeWakeups)
{
    public RotationEngineOptions Options => EngineOptions.Value;
}

/// <summary>
/// The state of one execution of a run, shared by the runner and its steps: the run and rotation as last saved, the
/// generated credential, the checkpoint, the secrets to scrub from messages, and the write-ahead save.
/// </summary>
internal sealed class RunContext(RunServices services, RotationRun run, Rotation rotation, string leaseHolder, CancellationToken stopping)
{
    private readonly List<string?> _knownSecrets = [];
    private ICredentialAuthority? _authority;
    private RunCheckpoint _checkpoint = RunCheckpoint.Read(run);

    public RunServices Services { get; } = services;

    public RotationRun Run { get; } = run;

    /// <summary>The rotation as the last save left it.</summary>
    public Rotation Rotation { get; set; } = rotation;

    /// <summary>The credential this run generated (null before Generate).</summary>
    public GeneratedCredential? Pending { get; private set; }

    public RunCheckpoint Checkpoint => _checkpoint;

    /// <summary>Shutdown or a lost lease: stop where the run is, without rolling back.</summary>
    public CancellationToken Stopping { get; } = stopping;

    /// <summary>The budget of the Auth0 work under way (the run's, then the rollback's).</summary>
    public RunTimeLimit? Limit { get; private set; }

    public RunStepName? CurrentStep { get; set; }

    /// <summary>The last retryable failure, scrubbed, for the message of a run that gives up.</summary>
    public string? LastTransientError { get; set; }

    /// <summary>A rollback keeps the generated secret with the run (Auth0 holds it and there is nothing older).</summary>
    public bool KeepPending { get; set; }

    public RotationEngineOptions Options => Services.Options;

    public DateTimeOffset Now => Services.Time.GetUtcNow();

    public Actor Actor => new(Run.ActorType, Run.ActorName);

    public RotationIdentity Identity => new(Rotation.Id, Rotation.Name);

    public string ClientId => Rotation.Parameters.ClientId;

    public bool IsSecretStrategy => StrategyPlan.RotatesClientSecret(Run.Strategy);

    public SecretScrubber Scrubber => new(_knownSecrets);

    /// <summary>How the application sent its secret before this run (client-secret tokens are requested the same way).</summary>
    public ClientSecretMethod SecretMethod => _checkpoint.AuthMethodBeforeApply == ApplicationAuthMethod.ClientSecretBasic
        ? ClientSecretMethod.ClientSecretBasic
        : ClientSecretMethod.ClientSecretPost;

    public GeneratedCredential RequirePending() =>
        Pending ?? throw new StepFailedException("The run has no generated credential (its Generate step did not finish).");

    public void LoadPending()
    {
        Pending = Run.ReadPendingCredential(Services.Protector);
        RememberSecrets(Pending);
    }

    /// <summary>Keeps <paramref name="credential"/> as the run's, encrypted in the run (saved with the next save).</summary>
    public void StorePending(GeneratedCredential credential)
    {
        Pending = credential;
        RememberSecrets(credential);
        Run.StorePendingCredential(credential, Services.Protector);
    }

    public void RememberSecret(string? secret) => _knownSecrets.Add(secret);

    public void SetCheckpoint(RunCheckpoint checkpoint)
    {
        _checkpoint = checkpoint;
        checkpoint.WriteTo(Run);
    }

    public GeneratedCredential? ActiveSlot()
    {
        var slots = Rotation.ReadGeneratedCredentials(Services.Protector);
        return slots.Count > Rotation.ActiveIndex ? slots[Rotation.ActiveIndex] : null;
    }

    /// <summary>The secret key the credential is stored under (client secret or private key).</summary>
    public string PrimaryKey() => IsSecretStrategy
        ? Rotation.SecretsMapping.ClientSecret ?? throw new StepFailedException("The rotation maps no client secret.")
        : Rotation.SecretsMapping.PrivateKey ?? throw new StepFailedException("The rotation maps no private key.");

    public IReadOnlyDictionary<string, string> MappedValues(GeneratedCredential credential)
    {
        var mapping = Rotation.SecretsMapping;
        var values = new Dictionary<string, string>(StringComparer.Ordinal) { [mapping.ClientId] = credential.ClientId };
        if (IsSecretStrategy)
        {
            values[PrimaryKey()] = credential.ClientSecret ?? throw new StepFailedException("The generated credential has no client secret.");
        }
        else
        {
            values[PrimaryKey()] = credential.PrivateKeyPem ?? throw new StepFailedException("The generated credential has no private key.");
            values[mapping.KeyId ?? throw new StepFailedException("The rotation maps no key id.")] =
                credential.KeyId ?? throw new StepFailedException("The generated credential has no key id.");
        }

        return values;
    }

    public IReadOnlyCollection<string> MappedKeys() =>
        IsSecretStrategy
            ? [Rotation.SecretsMapping.ClientId, PrimaryKey()]
            : [Rotation.SecretsMapping.ClientId, PrimaryKey(), Rotation.SecretsMapping.KeyId!];

    /// <summary>Whether Apply may have changed the application in Auth0 (a rollback then has something to undo).</summary>
    public bool MayHaveChangedAuthority() => Run.Step(RunStepName.Apply).Status switch
    {
        RunStepStatus.Pending or RunStepStatus.Skipped => false,
        RunStepStatus.Succeeded => true,
        // A checkpoint without the flag cannot tell: assume Auth0 was changed once Apply had looked at it.
        _ => _checkpoint.AuthorityChanged ?? _checkpoint.AuthMethodBeforeApply is not null,
    };

    public bool PublishedNext() =>
        StrategyPlan.Includes(Run.Strategy, RunStepName.Publish) && Run.Step(RunStepName.Publish).Status != RunStepStatus.Pending;

    /// <summary>Persisted before Apply's first change, so a rollback after a crash knows Auth0 may hold the new credential.</summary>
    public async Task RecordAuthorityChangeAsync()
    {
        if (_checkpoint.AuthorityChanged != true)
        {
            SetCheckpoint(_checkpoint with { AuthorityChanged = true });
            await SaveAsync();
        }
    }

    /// <summary>The provider for this run's connection, created on first use.</summary>
    public async Task<ICredentialAuthority> AuthorityAsync(CancellationToken ct) =>
        _authority ??= await Services.Authorities.CreateAsync(Rotation.ConnectionId, ct);

    /// <summary>An Auth0 call of a step, retried by <see cref="StepRetryPolicy"/>.</summary>
    public Task<T> CallAuthorityAsync<T>(Func<ICredentialAuthority, CancellationToken, Task<T>> call, CancellationToken ct) =>
        StepRetryPolicy.CallAuthorityAsync(this, call, ct);

    public Task CallAuthorityAsync(Func<ICredentialAuthority, CancellationToken, Task> call, CancellationToken ct) =>
        StepRetryPolicy.CallAuthorityAsync(this, async (a, token) =>
        {
            await call(a, token);
            return true;
        }, ct);

    /// <summary>A secret store write of a step, retried by <see cref="StepRetryPolicy"/>.</summary>
    public Task CallSecretStoreAsync(Func<Task<OperationResult>> call) => StepRetryPolicy.CallSecretStoreAsync(this, call);

    /// <summary>Saves the run (and the rotation change and audit event with it) under the lease.</summary>
    public async Task<Rotation?> SaveAsync(Action<Rotation>? rotationChange = null, AuditEvent? auditEvent = null)
    {
        // Completed work is recorded even while shutting down: the save is short, and it saves a repeat.
        return await Services.Store.SaveRunAsync(Run, leaseHolder, rotationChange, auditEvent is null ? null : [auditEvent], CancellationToken.None);
    }

    public void PublishStep(RunStepName name)
    {
        var step = Run.Step(name);
        Services.Notifier.Publish(new RunStepChangedEvent(Rotation.Id, Run.Id, name, step.Status, step.Message, Now));
    }

    public AuditEvent Audit(AuditOutcome outcome, string details) =>
        AuditEvent.Record(Now, Actor, AuditActions.RotationRotate, AuditTarget.Rotation(Rotation.Id, Rotation.Name), outcome, details);

    public RunTimeLimit StartTimeLimit(TimeSpan length, string limitOwner, string setting)
    {
        Limit = new RunTimeLimit(length, limitOwner, setting, Stopping, Services.Time, Now);
        return Limit;
    }

    /// <summary>The run's own time limit cancelled the work (not a shutdown or a lost lease).</summary>
    public bool IsTimeLimitHit(Exception exception) =>
        exception is OperationCanceledException && Limit?.HasPassed == true && !Stopping.IsCancellationRequested;

    /// <summary>Why a step or a rollback action failed, for the run's message.</summary>
    public string Explain(Exception exception)
    {
        if (!IsTimeLimitHit(exception))
        {
            return exception switch
            {
                StepFailedException or CredentialAuthorityException or DomainException => exception.Message,
                _ => $"{exception.GetType().Name}: {exception.Message}",
            };
        }

        var last = LastTransientError is null ? "" : $" Last answer: {LastTransientError}";
        return $"Auth0 did not answer within {Limit!.Owner} time limit of {RunTimeLimit.Format(Limit.Length)} ({Limit.Setting}).{last}";
    }

    private void RememberSecrets(GeneratedCredential? credential)
    {
        if (credential is not null)
        {
            _knownSecrets.AddRange(credential.SecretMaterial);
        }
    }
}
