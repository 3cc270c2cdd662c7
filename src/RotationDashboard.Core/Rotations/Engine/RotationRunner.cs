using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Scheduling;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Core.Security;

namespace RotationDashboard.Core.Rotations.Engine;

/// <summary>How a call to <see cref="RotationRunner.RunAsync"/> ended.</summary>
public sealed record RunResult(Guid RunId, RunStatus Status, string? Message, DateTimeOffset? WaitingUntil = null)
{
    /// <summary>The run paused (Private Key JWT grace period) and continues at <see cref="WaitingUntil"/>.</summary>
    public bool IsWaiting => Status == RunStatus.Running && WaitingUntil is not null;

    /// <summary>The run stopped before finishing (shutdown, lost lease); it resumes later.</summary>
    public bool IsInterrupted => Status == RunStatus.Running && WaitingUntil is null;
}

/// <summary>
/// Executes one run of a rotation, step by step: Generate → Publish → Apply → Verify → Promote → Retire (each
/// strategy uses a subset, <see cref="StrategyPlan"/>). Every step's status, timestamps and scrubbed message are
/// persisted before the next step starts, and the new credential is persisted encrypted before the identity
/// provider is touched, so a run interrupted anywhere resumes from its last stored step. Steps are idempotent.
/// A run that cannot finish is rolled back to a state where the consumers' credential still works.
/// The caller holds the rotation's lease; cancellation stops the run where it is, without rolling back.
/// </summary>
public sealed partial class RotationRunner(
    IRunStore store,
    ICredentialAuthorityFactory authorities,
    IRotationSecretStore secrets,
    IKeyPairGenerator keyPairs,
    IRotationRunNotifier notifier,
    NextRotationCalculator calculator,
    ISecretProtector protector,
    IOptions<RotationEngineOptions> options,
    TimeProvider timeProvider,
    ILogger<RotationRunner> logger)
{
    /// <summary>Name prefix of the public-key credentials a rotation creates, so leftovers can be recognised.</summary>
    public static string CredentialNamePrefix(Guid rotationId) => $"rotation-dashboard:{rotationId:N}";

    /// <summary>
    /// Drives <paramref name="run"/> until it ends, or until it waits in Retire (unless <paramref name="forceRetire"/>).
    /// </summary>
    /// <exception cref="OperationCanceledException">Stopped (shutdown or a lost lease); the run stays resumable.</exception>
    public async Task<RunResult> RunAsync(RotationRun run, string leaseHolder, bool forceRetire, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var rotation = await _store.FindRotationAsync(run.RotationId, cancellationToken)
                       ?? throw new InvalidOperationException($"Rotation {run.RotationId} of run {run.Id} does not exist.");
        var execution = new Execution(this, run, rotation, leaseHolder);
        return await execution.RunAsync(forceRetire, cancellationToken);
    }

    /// <summary>When a run waiting in Retire may retire the old credential (null when it is not waiting there).</summary>
    public static DateTimeOffset? RetireDueAt(RotationRun run, Rotation rotation)
    {
        if (run.IsFinished || !StrategyPlan.Includes(run.Strategy, RunStepName.Retire))
        {
            return null;
        }

        var promote = run.Step(RunStepName.Promote);
        return promote.Status == RunStepStatus.Succeeded && promote.FinishedAt is { } promotedAt && !run.Step(RunStepName.Retire).IsFinished
            ? promotedAt + rotation.RetireGracePeriod
            : null;
    }

    private readonly IRunStore _store = store;
    private readonly ICredentialAuthorityFactory _authorities = authorities;
    private readonly IRotationSecretStore _secrets = secrets;
    private readonly IKeyPairGenerator _keyPairs = keyPairs;
    private readonly IRotationRunNotifier _notifier = notifier;
    private readonly NextRotationCalculator _calculator = calculator;
    private readonly ISecretProtector _protector = protector;
    private readonly TimeProvider _timeProvider = timeProvider;
    private readonly ILogger<RotationRunner> _logger = logger;

    // Limits the Auth0 work running at once; waits (lead time, retries' backoff) do not hold a slot.
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.MaxConcurrentRuns));

    // Runs waiting out a staged lead time, by rotation: a settings change wakes them to look again at once.
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _leadTimeWaits = new();

    /// <summary>
    /// The rotation's settings changed: a run of it waiting out its staged lead time looks at them again now (a
    /// scheduled run is withdrawn when auto-rotation was turned off; a changed lead time moves the Auth0 switch).
    /// </summary>
    public void ReconsiderLeadTime(Guid rotationId)
    {
        if (_leadTimeWaits.TryGetValue(rotationId, out var wake))
        {
            wake.TrySetResult();
        }
    }

    private RotationEngineOptions Options => options.Value;

    /// <summary>A step gave up; <see cref="Exception.Message"/> is the (unscrubbed) reason.</summary>
    private sealed class StepFailedException(string message, Exception? inner = null) : Exception(message, inner);

    private sealed class RunAbortedException(RunStepName step, string reason) : Exception(reason)
    {
        public RunStepName Step { get; } = step;
    }

    /// <summary>A scheduled run is no longer wanted before Auth0 was touched (auto-rotation turned off in its lead time).</summary>
    private sealed class RunWithdrawnException(string reason) : Exception(reason);

    private sealed record StepOutcome(string Message, Action<Rotation>? RotationChange = null, AuditEvent? Audit = null);

    /// <summary>The state of one execution of a run.</summary>
    private sealed class Execution(RotationRunner owner, RotationRun run, Rotation rotation, string leaseHolder)
    {
        private readonly List<string?> _knownSecrets = [];
        private ICredentialAuthority? _authority;
        private Rotation _rotation = rotation;
        private GeneratedCredential? _pending;
        private RunCheckpoint _checkpoint = RunCheckpoint.Read(run);
        private bool _keepPending;
        private CancellationToken _stopping;
        private TimeLimit? _limit;
        private RunStepName? _currentStep;
        private string? _lastTransientError;

        private DateTimeOffset Now => owner._timeProvider.GetUtcNow();

        private RotationEngineOptions Options => owner.Options;

        private Actor Actor => new(run.ActorType, run.ActorName);

        private RotationIdentity Identity => new(_rotation.Id, _rotation.Name);

        private bool IsSecretStrategy => StrategyPlan.RotatesClientSecret(run.Strategy);

        private SecretScrubber Scrubber => new(_knownSecrets);

        public async Task<RunResult> RunAsync(bool forceRetire, CancellationToken stopping)
        {
            _stopping = stopping;
            _pending = run.ReadPendingCredential(owner._protector);
            RememberSecrets(_pending);
            if (run.Steps.FirstOrDefault(s => s.Status == RunStepStatus.Failed) is { } failed)
            {
                // Interrupted while rolling back: finish the rollback.
                return failed.Name == RunStepName.Retire
                    ? await SucceedWithCleanupPendingAsync(failed.Message ?? "The step failed.")
                    : await RollBackAsync(failed.Name, failed.Message ?? $"{failed.Name} failed.");
            }

            using var limit = StartTimeLimit(Options.RunTimeout, "the run's", $"{RotationEngineOptions.SectionName}:{nameof(RotationEngineOptions.RunTimeout)}");
            var ct = limit.Token;
            try
            {
                foreach (var name in StrategyPlan.StepsFor(run.Strategy))
                {
                    if (run.Step(name).IsFinished)
                    {
                        continue;
                    }

                    if (name == RunStepName.Retire && RetireDueAt(run, _rotation) is { } due && due > Now && !forceRetire && HasSomethingToRetire())
                    {
                        return await WaitForRetireAsync(due);
                    }

                    await ExecuteStepAsync(name, ct);
                }
            }
            catch (RunAbortedException aborted) when (aborted.Step == RunStepName.Retire)
            {
                return await SucceedWithCleanupPendingAsync(aborted.Message);
            }
            catch (RunAbortedException aborted)
            {
                return await RollBackAsync(aborted.Step, aborted.Message);
            }
            catch (RunWithdrawnException withdrawn)
            {
                return await WithdrawAsync(withdrawn.Message, stopping);
            }
            catch (OperationCanceledException exception) when (IsTimeLimitHit(exception) && run.NextStep is { } next)
            {
                // The limit passed between steps (waiting for a slot): the step that was due fails.
                var reason = $"{next.Name} failed: {Explain(exception)}";
                if (next.Status == RunStepStatus.Pending)
                {
                    run.StartStep(next.Name, Now);
                }

                run.FailStep(next.Name, reason, Scrubber, Now);
                await SaveAsync();
                Publish(next.Name);
                return await RollBackAsync(next.Name, reason);
            }

            var message = IsSecretStrategy
                ? "Rotated: the new client secret is live in Auth0, verified and mapped as CURRENT."
                : "Rotated: the new key is live in Auth0, verified and mapped as CURRENT; the previous key is retired.";
            run.Succeed(message, Scrubber, Now);
            await SaveAsync();
            Log.RunSucceeded(owner._logger, run.Id, _rotation.Id);
            return new RunResult(run.Id, run.Status, run.Message);
        }

        private async Task ExecuteStepAsync(RunStepName name, CancellationToken ct)
        {
            if (name == RunStepName.Apply && run.Strategy == RotationStrategy.Staged)
            {
                // The lead time is a planned wait, not Auth0 work: the run's time limit starts again after it.
                await WaitForLeadTimeAsync(_stopping);
                _limit?.Restart(Now);
            }

            await owner._slots.WaitAsync(ct);
            try
            {
                await ExecuteStepInSlotAsync(name, ct);
            }
            finally
            {
                owner._slots.Release();
            }
        }

        private async Task ExecuteStepInSlotAsync(RunStepName name, CancellationToken ct)
        {
            run.StartStep(name, Now);
            _currentStep = name;
            await SaveAsync();
            Publish(name);
            var started = Stopwatch.GetTimestamp();

            StepOutcome outcome;
            try
            {
                outcome = name switch
                {
                    RunStepName.Generate => Generate(),
                    RunStepName.Publish => await PublishAsync(ct),
                    RunStepName.Apply => IsSecretStrategy ? await ApplySecretAsync(ct) : await ApplyKeyAsync(ct),
                    RunStepName.Verify => await VerifyAsync(ct),
                    RunStepName.Promote => await PromoteAsync(ct),
                    RunStepName.Retire => await RetireAsync(ct),
                    _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
                };
            }
            catch (Exception exception) when (exception is not OperationCanceledException || IsTimeLimitHit(exception))
            {
                var reason = $"{name} failed: {Explain(exception)}";
                Log.StepFailed(owner._logger, run.Id, name, Scrubber.Scrub(reason));
                run.FailStep(name, reason, Scrubber, Now);
                await SaveAsync();
                Publish(name);
                throw new RunAbortedException(name, reason);
            }

            run.CompleteStep(name, outcome.Message, Scrubber, Now);
            var saved = await SaveAsync(outcome.RotationChange, outcome.Audit);
            _rotation = saved ?? _rotation;
            Publish(name);
            Log.StepSucceeded(owner._logger, run.Id, name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        // ---- Steps ------------------------------------------------------------------------------------

        private StepOutcome Generate()
        {
            if (_pending is not null)
            {
                return new StepOutcome("Kept the credential generated before the interruption.");
            }

            var clientId = _rotation.Parameters.ClientId;
            if (IsSecretStrategy)
            {
                var secret = ClientSecretGenerator.Generate(Options.ClientSecretLength);
                _pending = new GeneratedCredential(clientId, ClientSecret: secret, CreatedAt: Now);
                RememberSecrets(_pending);
                run.StorePendingCredential(_pending, owner._protector);
                return new StepOutcome($"Generated a new {secret.Length}-character client secret and stored it encrypted.");
            }

            var keyPair = owner._keyPairs.Generate(Options.RsaKeySize);
            _pending = new GeneratedCredential(clientId, PrivateKeyPem: keyPair.PrivateKeyPem, KeyId: keyPair.KeyId, CreatedAt: Now);
            RememberSecrets(_pending);
            run.StorePendingCredential(_pending, owner._protector);
            return new StepOutcome($"Generated a {keyPair.KeySize}-bit RSA key pair (key id {keyPair.KeyId}) and stored it encrypted.");
        }

        private async Task<StepOutcome> PublishAsync(CancellationToken ct)
        {
            var values = MappedValues(Pending);
            await StoreCallAsync(() => owner._secrets.PublishNextAsync(Identity, _rotation.FolderId, values, Actor, ct));
            return new StepOutcome($"Published as NEXT: {string.Join(", ", values.Keys)}.");
        }

        private async Task WaitForLeadTimeAsync(CancellationToken ct)
        {
            if (run.Trigger == RunTrigger.Create)
            {
                // Nobody reads the new rotation's secrets yet, so there is no consumer to give a head start.
                return;
            }

            var publishedAt = run.Step(RunStepName.Publish).FinishedAt ?? Now;
            while (true)
            {
                // Listen for changes before looking at the settings, so a change made right after the look still wakes us.
                var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                owner._leadTimeWaits[run.RotationId] = wake;
                try
                {
                    // Settings may change during the wait (or while the app was down): look at the rotation as it is now.
                    var current = await owner._store.FindRotationAsync(run.RotationId, ct) ?? _rotation;
                    if (run.Trigger == RunTrigger.Schedule && !current.IsAutoRotationEnabled)
                    {
                        throw new RunWithdrawnException("Withdrawn: auto-rotation was turned off while the scheduled run waited for its lead time.");
                    }

                    var due = publishedAt + current.StagedLeadTime;
                    var wait = due - Now;
                    if (wait <= TimeSpan.Zero)
                    {
                        return;
                    }

                    run.NoteStep(RunStepName.Apply, $"Waiting for the lead time: consumers have NEXT since {publishedAt:u}; Auth0 switches at {due:u}.", Scrubber);
                    await SaveAsync();
                    owner._notifier.Publish(new RunWaitingEvent(_rotation.Id, run.Id, RunStepName.Apply, due, Now));
                    Log.WaitingForLeadTime(owner._logger, run.Id, due);

                    using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    var delay = Task.Delay(wait, owner._timeProvider, stopWaiting.Token);
                    if (await Task.WhenAny(delay, wake.Task) != delay)
                    {
                        await stopWaiting.CancelAsync();
                    }

                    ct.ThrowIfCancellationRequested();
                }
                finally
                {
                    owner._leadTimeWaits.TryRemove(new KeyValuePair<Guid, TaskCompletionSource>(run.RotationId, wake));
                }
            }
        }

        private async Task<StepOutcome> ApplySecretAsync(CancellationToken ct)
        {
            var clientId = _rotation.Parameters.ClientId;
            var application = await AuthorityCallAsync((a, token) => a.GetApplicationAsync(clientId, !IsSecretStrategy, token), ct);
            if (application.AuthMethod == ApplicationAuthMethod.PrivateKeyJwt)
            {
                throw new StepFailedException(
                    $"Application {clientId} authenticates with Private Key JWT, so it has no client secret to rotate. Use an auth0-private-key-jwt rotation.");
            }

            if (application.AuthMethod == ApplicationAuthMethod.None)
            {
                throw new StepFailedException($"Application {clientId} is a public application (no client secret).");
            }

            if (_checkpoint.AuthMethodBeforeApply is null)
            {
                SetCheckpoint(_checkpoint with { AuthMethodBeforeApply = application.AuthMethod, AuthorityChanged = false });
            }

            await RecordAuthorityChangeAsync();
            await AuthorityCallAsync((a, token) => Done(a.SetClientSecretAsync(clientId, Pending.ClientSecret!, token)), ct);
            return new StepOutcome("Set the new client secret in Auth0.", rotation => rotation.RecordApplicationName(application.Name));
        }

        private async Task<StepOutcome> ApplyKeyAsync(CancellationToken ct)
        {
            var clientId = _rotation.Parameters.ClientId;
            var pending = Pending;
            var application = await AuthorityCallAsync((a, token) => a.GetApplicationAsync(clientId, !IsSecretStrategy, token), ct);
            var switching = application.AuthMethod != ApplicationAuthMethod.PrivateKeyJwt;
            if (application.AuthMethod == ApplicationAuthMethod.None)
            {
                throw new StepFailedException($"Application {clientId} is a public application; Private Key JWT needs a confidential application.");
            }

            if (switching && !_checkpoint.AllowAuthMethodSwitch)
            {
                throw new StepFailedException(
                    $"Application {clientId} authenticates with a client secret. Switching it to Private Key JWT would break every " +
                    "consumer that uses the secret, so the rotation does not do it on its own.");
            }

            if (_checkpoint.AuthMethodBeforeApply is null)
            {
                // Remember the state before the first change, for a rollback (a resumed Apply must not overwrite it).
                SetCheckpoint(_checkpoint with
                {
                    AuthMethodBeforeApply = application.AuthMethod,
                    AttachedBeforeApply = application.AttachedCredentialIds,
                    AuthorityChanged = false,
                });
            }

            await RecordAuthorityChangeAsync();

            var activeId = ActiveSlot()?.CredentialId;
            var prefix = CredentialNamePrefix(_rotation.Id);
            var leftovers = application.Credentials
                .Where(c => !c.IsAttached && c.Id != activeId && c.KeyId != pending.KeyId && c.Name?.StartsWith(prefix, StringComparison.Ordinal) == true)
                .ToList();
            foreach (var leftover in leftovers)
            {
                await AuthorityCallAsync((a, token) => a.DeleteCredentialAsync(clientId, leftover.Id, token), ct);
            }

            var existing = application.Credentials.FirstOrDefault(c => c.KeyId == pending.KeyId);
            var storedAfter = application.Credentials.Count - leftovers.Count + (existing is null ? 1 : 0);
            if (storedAfter > 4)
            {
                throw new StepFailedException(
                    $"Application {clientId} already stores {application.Credentials.Count - leftovers.Count} credentials and Auth0 allows 4. " +
                    "Delete credentials it no longer uses in Auth0, then rotate again.");
            }

            var credential = existing ?? await AuthorityCallAsync(
                (a, token) => a.AddPublicKeyCredentialAsync(clientId, NewCredential(pending, $"{prefix} {Now:yyyy-MM-dd HH:mm:ss}"), token),
                ct);
            _pending = pending with { CredentialId = credential.Id };
            run.StorePendingCredential(_pending, owner._protector);
            await SaveAsync();

            // Beside the consumers' current key; on the first issuance, beside whatever the application uses today.
            var keep = application.AttachedCredentialIds.Where(id => id != credential.Id).ToList();
            if (activeId is not null && application.Credentials.Any(c => c.Id == activeId))
            {
                keep = [activeId];
            }

            var attached = keep.Append(credential.Id).Distinct(StringComparer.Ordinal).ToList();
            if (attached.Count > 2)
            {
                throw new StepFailedException(
                    $"Application {clientId} already has two Private Key JWT credentials attached ({string.Join(", ", keep)}), the most Auth0 allows. " +
                    "Detach the one its consumers no longer use, then rotate again.");
            }

            await AuthorityCallAsync((a, token) => Done(a.AttachPublicKeyCredentialsAsync(clientId, attached, token)), ct);
            var removed = leftovers.Count > 0 ? $" Deleted {leftovers.Count} detached leftover credential(s) of earlier runs." : "";
            var beside = keep.Count > 0 ? $" beside {string.Join(", ", keep)}" : " (the application now uses Private Key JWT)";
            var kind = _rotation.UseSelfSignedCertificate && existing is null
                ? $" as a self-signed certificate valid for {RotationRules.CertificateValidity(_rotation.RotationInterval, _rotation.RetireGracePeriod).TotalDays:0} days"
                : "";
            return new StepOutcome($"Added credential {credential.Id} (key id {pending.KeyId}){kind} and attached it{beside}.{removed}",
                rotation => rotation.RecordApplicationName(application.Name));
        }

        private NewPublicKeyCredential NewCredential(GeneratedCredential pending, string name)
        {
            if (!_rotation.UseSelfSignedCertificate)
            {
                return new NewPublicKeyCredential(owner._keyPairs.ExportPublicKeyPem(pending.PrivateKeyPem!), pending.KeyId!, name);
            }

            // Valid from a little before now (clock skew) for as long as the rotation's schedule needs it.
            var notBefore = Now - TimeSpan.FromMinutes(5);
            var notAfter = Now + RotationRules.CertificateValidity(_rotation.RotationInterval, _rotation.RetireGracePeriod);
            var certificate = owner._keyPairs.CreateSelfSignedCertificatePem(pending.PrivateKeyPem!, $"CN={_rotation.Name}, O=Rotation Dashboard", notBefore, notAfter);
            return new NewPublicKeyCredential(certificate, pending.KeyId!, name, IsCertificate: true);
        }

        private async Task<StepOutcome> VerifyAsync(CancellationToken ct)
        {
            var clientId = _rotation.Parameters.ClientId;
            var pending = Pending;
            var method = _checkpoint.AuthMethodBeforeApply == ApplicationAuthMethod.ClientSecretBasic
                ? ClientSecretMethod.ClientSecretBasic
                : ClientSecretMethod.ClientSecretPost;
            var check = await VerifyLoopAsync(
                (a, token) => IsSecretStrategy
                    ? a.VerifyClientSecretAsync(clientId, pending.ClientSecret!, method, token)
                    : a.VerifyPrivateKeyAsync(clientId, pending.PrivateKeyPem!, pending.KeyId, token),
                ct);
            var what = IsSecretStrategy ? "client secret" : "key";
            return check.Check.Outcome switch
            {
                CredentialCheckOutcome.Accepted => new StepOutcome(
                    $"Auth0 accepted the new {what} ({check.Check.Detail}) after {check.Attempts} attempt(s) in {check.Elapsed.TotalSeconds:0.0} s."),
                CredentialCheckOutcome.Rejected => throw new StepFailedException(
                    $"Auth0 still rejects the new {what} after {check.Attempts} attempt(s) in {check.Elapsed.TotalSeconds:0.0} s ({check.Check.Detail}); it does not work."),
                CredentialCheckOutcome.Transient => throw new StepFailedException(
                    $"Auth0 could not confirm the new {what} within {check.Elapsed.TotalSeconds:0.0} s ({check.Attempts} attempt(s); last answer: {check.Check.Detail})."),
                _ => throw new StepFailedException($"Auth0 refused the token request for the new {what}: {check.Check.Detail}."),
            };
        }

        private async Task<StepOutcome> PromoteAsync(CancellationToken ct)
        {
            var pending = Pending;
            var values = MappedValues(pending);
            var primaryKey = PrimaryKey();
            var primaryValue = values[primaryKey];
            string message;
            if (run.Strategy == RotationStrategy.SinglePhase)
            {
                var current = await owner._secrets.ReadCurrentAsync(_rotation.FolderId, primaryKey, ct);
                if (!string.Equals(current?.Value, primaryValue, StringComparison.Ordinal))
                {
                    await StoreCallAsync(() => owner._secrets.SetCurrentAsync(Identity, _rotation.FolderId, values, Actor, ct));
                }

                message = $"Mapped as CURRENT: {string.Join(", ", values.Keys)}. The previous secret no longer works in Auth0.";
            }
            else
            {
                var next = await owner._secrets.ReadNextAsync(_rotation.FolderId, primaryKey, ct);
                if (string.Equals(next?.Value, primaryValue, StringComparison.Ordinal))
                {
                    await StoreCallAsync(() => owner._secrets.PromoteNextAsync(Identity, _rotation.FolderId, values.Keys.ToList(), Actor, ct));
                }
                else
                {
                    var current = await owner._secrets.ReadCurrentAsync(_rotation.FolderId, primaryKey, ct);
                    if (!string.Equals(current?.Value, primaryValue, StringComparison.Ordinal))
                    {
                        throw new StepFailedException($"The NEXT value this run published for {primaryKey} is no longer there.");
                    }
                }

                message = $"Promoted NEXT to CURRENT: {string.Join(", ", values.Keys)}; the old values are kept as PREVIOUS.";
            }

            var now = Now;
            var strategyLabel = StrategyPlan.Label(run.Strategy);
            return new StepOutcome(
                message,
                rotation => RecordPromotion(rotation, pending, now),
                AuditEvent.Record(now, Actor, AuditActions.RotationRotate, AuditTarget.Rotation(_rotation.Id, _rotation.Name), AuditOutcome.Success,
                    $"Run {run.Id} ({run.Trigger}, {strategyLabel}): the new credential is live and verified."));
        }

        private void RecordPromotion(Rotation rotation, GeneratedCredential pending, DateTimeOffset now)
        {
            StorePromotedCredential(rotation, pending, now);
            rotation.RecordSuccess(run.Id, run.IsManual, owner._calculator, now);
        }

        /// <summary>The new credential becomes the active slot; a replaced client secret is marked retired.</summary>
        private void StorePromotedCredential(Rotation rotation, GeneratedCredential pending, DateTimeOffset now)
        {
            var slots = rotation.ReadGeneratedCredentials(owner._protector).ToList();
            var fresh = pending with { RetiredAt = null };
            int active;
            if (slots.Count == 0)
            {
                slots.Add(fresh);
                active = 0;
            }
            else
            {
                var previous = slots[rotation.ActiveIndex];
                if (IsSecretStrategy)
                {
                    // Auth0 keeps one secret per application: the replaced one is dead (Infisical labels it "retired
                    // credentials, revoked during the next rotation", which is wrong for Auth0).
                    previous = previous with { RetiredAt = previous.RetiredAt ?? now };
                }

                if (slots.Count == 1)
                {
                    slots = [previous, fresh];
                    active = 1;
                }
                else
                {
                    slots[rotation.ActiveIndex] = previous;
                    slots[rotation.InactiveIndex] = fresh;
                    active = rotation.InactiveIndex;
                }
            }

            rotation.StoreGeneratedCredentials(slots, active, owner._protector, now);
        }

        private async Task<StepOutcome> RetireAsync(CancellationToken ct)
        {
            var clientId = _rotation.Parameters.ClientId;
            var slots = _rotation.ReadGeneratedCredentials(owner._protector);
            var active = slots.Count > 0 ? slots[_rotation.ActiveIndex] : null;
            var old = slots.Count == Rotation.MaxSlots ? slots[_rotation.InactiveIndex] : null;
            if (active?.CredentialId is not { } activeId)
            {
                throw new StepFailedException("The rotation has no active credential id to keep.");
            }

            var application = await AuthorityCallAsync((a, token) => a.GetApplicationAsync(clientId, !IsSecretStrategy, token), ct);
            if (application.Credentials.All(c => c.Id != activeId))
            {
                throw new StepFailedException($"The active credential {activeId} is missing in Auth0; the old one is kept attached.");
            }

            var detached = application.AttachedCredentialIds.Where(id => id != activeId).ToList();
            if (detached.Count > 0)
            {
                await AuthorityCallAsync((a, token) => Done(a.AttachPublicKeyCredentialsAsync(clientId, [activeId], token)), ct);
            }

            var deleted = false;
            if (old?.CredentialId is { } oldId && oldId != activeId)
            {
                await AuthorityCallAsync((a, token) => a.DeleteCredentialAsync(clientId, oldId, token), ct);
                deleted = true;
            }

            var foreign = detached.Where(id => id != old?.CredentialId).ToList();
            var message = (deleted, detached.Count) switch
            {
                (true, _) => $"Detached and deleted the previous credential {old!.CredentialId}.",
                (false, > 0) => "Detached the previous credential(s).",
                _ => "Nothing left to retire.",
            };
            if (foreign.Count > 0)
            {
                message += $" Detached credential(s) the rotation did not create (kept in Auth0, disabled): {string.Join(", ", foreign)}.";
            }

            var now = Now;
            return new StepOutcome(message, rotation =>
            {
                var current = rotation.ReadGeneratedCredentials(owner._protector).ToList();
                if (current.Count == Rotation.MaxSlots && current[rotation.InactiveIndex].RetiredAt is null)
                {
                    current[rotation.InactiveIndex] = current[rotation.InactiveIndex] with { RetiredAt = now };
                    rotation.StoreGeneratedCredentials(current, rotation.ActiveIndex, owner._protector, now);
                }
            });
        }

        /// <summary>A previous key of ours, or keys the application used before its first issuance, still to remove.</summary>
        private bool HasSomethingToRetire()
        {
            var slots = _rotation.ReadGeneratedCredentials(owner._protector);
            var active = slots.Count > _rotation.ActiveIndex ? slots[_rotation.ActiveIndex].CredentialId : null;
            var previous = slots.Count == Rotation.MaxSlots ? slots[_rotation.InactiveIndex] : null;
            return previous is { RetiredAt: null, CredentialId: not null }
                   || _checkpoint.AttachedBeforeApply?.Any(id => id != active) == true;
        }

        private async Task<RunResult> WaitForRetireAsync(DateTimeOffset due)
        {
            var note = $"Waiting for the grace period: the previous key stays valid until {due:u}.";
            if (run.Step(RunStepName.Retire).Message != note)
            {
                run.NoteStep(RunStepName.Retire, note, Scrubber);
                await SaveAsync();
            }

            owner._notifier.Publish(new RunWaitingEvent(_rotation.Id, run.Id, RunStepName.Retire, due, Now));
            Log.WaitingForRetire(owner._logger, run.Id, due);
            return new RunResult(run.Id, run.Status, note, due);
        }

        // ---- Failure handling ---------------------------------------------------------------------------

        private async Task<RunResult> SucceedWithCleanupPendingAsync(string reason)
        {
            // The new key is live in Auth0, verified and mapped as CURRENT: the rotation happened. Only removing the
            // previous key failed (the Retire step stays failed with its reason); nothing to roll back. The next run's
            // Apply detaches the previous key and deletes this rotation's detached leftovers.
            var message = $"Rotated; clean-up pending: {reason} The previous key stays in Auth0 until the next rotation removes it.";
            var now = Now;
            var scrubbed = Scrubber.ScrubAndTruncate(message, RotationRules.MaxMessageLength);
            run.Succeed(message, Scrubber, now);
            await SaveAsync(
                rotation => rotation.RecordCleanupPending(run.Id, scrubbed, owner._protector, now),
                AuditEvent.Record(now, Actor, AuditActions.RotationRotate, AuditTarget.Rotation(_rotation.Id, _rotation.Name), AuditOutcome.Success,
                    Scrubber.ScrubAndTruncate($"Run {run.Id} ({run.Trigger}) succeeded with a warning: {message}", 1900)));
            Log.RunSucceededWithCleanupPending(owner._logger, run.Id, _rotation.Id);
            return new RunResult(run.Id, run.Status, run.Message);
        }

        /// <summary>Ends a run that has not touched Auth0 yet: its NEXT values go, CURRENT and the rotation's status stay.</summary>
        private async Task<RunResult> WithdrawAsync(string reason, CancellationToken ct)
        {
            try
            {
                await StoreCallAsync(() => owner._secrets.DiscardNextAsync(Identity, _rotation.FolderId, MappedKeys(), Actor, ct));
            }
            catch (StepFailedException exception)
            {
                return await RollBackAsync(RunStepName.Apply, $"{reason} Withdrawing NEXT failed: {exception.Message}");
            }

            var message = $"{reason} The NEXT values were withdrawn before Auth0 was touched; consumers keep their CURRENT credential.";
            run.RollBack(message, Scrubber, Now);
            await SaveAsync(auditEvent: AuditEvent.Record(Now, Actor, AuditActions.RotationRotate, AuditTarget.Rotation(_rotation.Id, _rotation.Name),
                AuditOutcome.Success, Scrubber.ScrubAndTruncate($"Run {run.Id} ({run.Trigger}): {message}", 1900)));
            Log.RunWithdrawn(owner._logger, run.Id, _rotation.Id);
            return new RunResult(run.Id, run.Status, run.Message);
        }

        private async Task<RunResult> RollBackAsync(RunStepName failedStep, string reason)
        {
            var actions = new List<string>();
            var changedAuthority = MayHaveChangedAuthority();
            using var limit = StartRollbackTimeLimit();
            var ct = limit.Token;
            if (changedAuthority)
            {
                try
                {
                    await UndoAuthorityChangesAsync(actions, ct);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || IsTimeLimitHit(exception))
                {
                    // Auth0 may hold the new credential, the old one, or both: find out before touching the store.
                    return await ConvergeAsync(failedStep, reason, Explain(exception));
                }
            }

            string? incomplete = null;
            try
            {
                if (PublishedNext())
                {
                    await StoreCallAsync(() => owner._secrets.DiscardNextAsync(Identity, _rotation.FolderId, MappedKeys(), Actor, ct));
                    actions.Add("withdrew the NEXT values");
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException || IsTimeLimitHit(exception))
            {
                incomplete = Explain(exception);
            }

            var summary = changedAuthority
                ? actions.Count > 0 ? $" Rolled back: {string.Join("; ", actions)}." : ""
                : " Nothing had changed in Auth0" + (actions.Count > 0 ? $"; {string.Join("; ", actions)}." : ".");
            var consumers = run.Trigger == RunTrigger.Create ? "" : " Consumers keep their CURRENT credential.";
            string message;
            if (incomplete is null && !_keepPending)
            {
                message = reason + summary + consumers;
                run.RollBack(message, Scrubber, Now);
            }
            else if (incomplete is null)
            {
                // Auth0 holds the new secret and there is nothing older to go back to: keep it (encrypted) in the run.
                message = reason + summary + " The generated secret is kept, encrypted, with this run.";
                run.Fail(message, Scrubber, Now);
            }
            else
            {
                message = $"{reason}{summary} Withdrawing NEXT failed: {incomplete}";
                run.Fail(message, Scrubber, Now);
            }

            return await RecordFailureAsync(failedStep, message, needsAttention: incomplete is not null);
        }

        /// <summary>
        /// The rollback could not reach Auth0. Asks Auth0 which credential it accepts (a token request with CURRENT,
        /// then with the new one) and maps that one as CURRENT, so a consumer that reads CURRENT alone keeps working.
        /// The rotation is flagged for a person either way; the message says exactly what was found and done.
        /// </summary>
        private async Task<RunResult> ConvergeAsync(RunStepName failedStep, string reason, string rollbackFailure)
        {
            using var limit = StartRollbackTimeLimit();
            var ct = limit.Token;
            var what = IsSecretStrategy ? "client secret" : "key";
            var steps = new List<string>();
            try
            {
                var current = await ReadCurrentCredentialAsync(ct);
                var currentCheck = current is null ? null : await CheckCredentialAsync(current, ct);
                var newCheck = currentCheck?.Outcome == CredentialCheckOutcome.Accepted ? null : await CheckCredentialAsync(Pending, ct);
                var found = (currentCheck?.Outcome, newCheck?.Outcome) switch
                {
                    (CredentialCheckOutcome.Accepted, _) => $"Auth0 accepts CURRENT",
                    (_, CredentialCheckOutcome.Accepted) => $"Auth0 {(current is null ? "has no CURRENT to check" : "rejects CURRENT")} and accepts the new {what}",
                    _ => $"Auth0 accepts neither CURRENT ({currentCheck?.Detail ?? "none stored"}) nor the new {what} ({newCheck?.Detail})",
                };
                steps.Add($"checked with token requests: {found}");

                if (currentCheck?.Outcome == CredentialCheckOutcome.Accepted)
                {
                    if (PublishedNext())
                    {
                        await StoreCallAsync(() => owner._secrets.DiscardNextAsync(Identity, _rotation.FolderId, MappedKeys(), Actor, ct));
                        steps.Add("withdrew the NEXT values");
                    }

                    if (!IsSecretStrategy)
                    {
                        steps.Add("the new key may still be stored in Auth0; the next rotation removes it");
                    }
                }
                else if (newCheck?.Outcome == CredentialCheckOutcome.Accepted)
                {
                    await MapPendingAsCurrentAsync(ct);
                    steps.Add($"mapped the new {what} as CURRENT (rolled forward)");
                    var now = Now;
                    var pending = Pending;
                    var message = $"{reason} Rollback incomplete: {rollbackFailure} Then {string.Join("; ", steps)}. Needs attention: the run did not finish as planned.";
                    run.Fail(message, Scrubber, now);
                    return await RecordFailureAsync(failedStep, message, needsAttention: true, rotation => StorePromotedCredential(rotation, pending, now));
                }
                else
                {
                    steps.Add("left CURRENT and NEXT as they are; the generated credential stays encrypted with this run");
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException || IsTimeLimitHit(exception))
            {
                steps.Add($"could not finish that: {Explain(exception)}");
            }

            var summary = $"{reason} Rollback incomplete: {rollbackFailure} Then {string.Join("; ", steps)}. Needs attention: the run did not finish as planned.";
            run.Fail(summary, Scrubber, Now);
            return await RecordFailureAsync(failedStep, summary, needsAttention: true);
        }

        private async Task<RunResult> RecordFailureAsync(RunStepName failedStep, string message, bool needsAttention, Action<Rotation>? alsoChange = null)
        {
            var now = Now;
            var scrubbed = Scrubber.ScrubAndTruncate(message, RotationRules.MaxMessageLength);
            await SaveAsync(
                rotation =>
                {
                    alsoChange?.Invoke(rotation);
                    rotation.RecordFailure(run.Id, scrubbed, run.IsManual, owner._protector, owner._calculator, now, needsAttention);
                },
                AuditEvent.Record(now, Actor, AuditActions.RotationRotate, AuditTarget.Rotation(_rotation.Id, _rotation.Name), AuditOutcome.Failure,
                    Scrubber.ScrubAndTruncate($"Run {run.Id} ({run.Trigger}) failed at {failedStep}: {message}", 1900)));
            Log.RunRolledBack(owner._logger, run.Id, _rotation.Id, failedStep, run.Status);
            return new RunResult(run.Id, run.Status, run.Message);
        }

        /// <summary>Whether Apply may have changed the application in Auth0 (a rollback then has something to undo).</summary>
        private bool MayHaveChangedAuthority() => run.Step(RunStepName.Apply).Status switch
        {
            RunStepStatus.Pending or RunStepStatus.Skipped => false,
            RunStepStatus.Succeeded => true,
            // A checkpoint without the flag cannot tell: assume Auth0 was changed once Apply had looked at it.
            _ => _checkpoint.AuthorityChanged ?? _checkpoint.AuthMethodBeforeApply is not null,
        };

        private bool PublishedNext() =>
            StrategyPlan.Includes(run.Strategy, RunStepName.Publish) && run.Step(RunStepName.Publish).Status != RunStepStatus.Pending;

        /// <summary>Persisted before Apply's first change, so a rollback after a crash knows Auth0 may hold the new credential.</summary>
        private async Task RecordAuthorityChangeAsync()
        {
            if (_checkpoint.AuthorityChanged != true)
            {
                SetCheckpoint(_checkpoint with { AuthorityChanged = true });
                await SaveAsync();
            }
        }

        /// <summary>The credential consumers read as CURRENT today (null on a first issuance).</summary>
        private async Task<GeneratedCredential?> ReadCurrentCredentialAsync(CancellationToken ct)
        {
            var primary = await owner._secrets.ReadCurrentAsync(_rotation.FolderId, PrimaryKey(), ct);
            if (primary is null)
            {
                return null;
            }

            _knownSecrets.Add(primary.Value);
            var clientId = _rotation.Parameters.ClientId;
            if (IsSecretStrategy)
            {
                return new GeneratedCredential(clientId, ClientSecret: primary.Value, CreatedAt: Now);
            }

            var keyId = _rotation.SecretsMapping.KeyId is { } keyIdName ? await owner._secrets.ReadCurrentAsync(_rotation.FolderId, keyIdName, ct) : null;
            return new GeneratedCredential(clientId, PrivateKeyPem: primary.Value, KeyId: keyId?.Value, CreatedAt: Now);
        }

        /// <summary>One token request with the credential (no propagation retries: Auth0 changed nothing since Verify).</summary>
        private async Task<CredentialCheck> CheckCredentialAsync(GeneratedCredential credential, CancellationToken ct)
        {
            var clientId = _rotation.Parameters.ClientId;
            var method = _checkpoint.AuthMethodBeforeApply == ApplicationAuthMethod.ClientSecretBasic
                ? ClientSecretMethod.ClientSecretBasic
                : ClientSecretMethod.ClientSecretPost;
            _authority ??= await owner._authorities.CreateAsync(_rotation.ConnectionId, ct);
            return IsSecretStrategy
                ? await _authority.VerifyClientSecretAsync(clientId, credential.ClientSecret!, method, ct)
                : await _authority.VerifyPrivateKeyAsync(clientId, credential.PrivateKeyPem!, credential.KeyId, ct);
        }

        /// <summary>Rolls forward in the store: the new credential becomes CURRENT (promoted from NEXT when published there).</summary>
        private async Task MapPendingAsCurrentAsync(CancellationToken ct)
        {
            var values = MappedValues(Pending);
            var next = PublishedNext() ? await owner._secrets.ReadNextAsync(_rotation.FolderId, PrimaryKey(), ct) : null;
            if (string.Equals(next?.Value, values[PrimaryKey()], StringComparison.Ordinal))
            {
                await StoreCallAsync(() => owner._secrets.PromoteNextAsync(Identity, _rotation.FolderId, values.Keys.ToList(), Actor, ct));
            }
            else
            {
                await StoreCallAsync(() => owner._secrets.SetCurrentAsync(Identity, _rotation.FolderId, values, Actor, ct));
            }
        }

        private async Task UndoAuthorityChangesAsync(List<string> actions, CancellationToken ct)
        {
            if (run.Step(RunStepName.Apply).Status is RunStepStatus.Pending or RunStepStatus.Skipped)
            {
                return;
            }

            var clientId = _rotation.Parameters.ClientId;
            if (IsSecretStrategy)
            {
                var current = await owner._secrets.ReadCurrentAsync(_rotation.FolderId, PrimaryKey(), ct);
                if (current is null)
                {
                    actions.Add("no earlier secret to restore in Auth0 (first issuance)");
                    _keepPending = run.Step(RunStepName.Apply).Status == RunStepStatus.Succeeded;
                    return;
                }

                _knownSecrets.Add(current.Value);
                if (string.Equals(current.Value, _pending?.ClientSecret, StringComparison.Ordinal))
                {
                    return;
                }

                await AuthorityCallAsync((a, token) => Done(a.SetClientSecretAsync(clientId, current.Value, token)), ct);
                actions.Add("set the CURRENT client secret in Auth0 again");
                return;
            }

            var application = await AuthorityCallAsync((a, token) => a.GetApplicationAsync(clientId, !IsSecretStrategy, token), ct);
            var newId = _pending?.CredentialId
                        ?? application.Credentials.FirstOrDefault(c => _pending?.KeyId is not null && c.KeyId == _pending.KeyId)?.Id;
            if (newId is null)
            {
                return;
            }

            if (application.AttachedCredentialIds.Contains(newId))
            {
                var remaining = application.AttachedCredentialIds.Where(id => id != newId).ToList();
                if (remaining.Count == 0 && _checkpoint.AuthMethodBeforeApply is ApplicationAuthMethod.ClientSecretPost or ApplicationAuthMethod.ClientSecretBasic)
                {
                    var method = _checkpoint.AuthMethodBeforeApply == ApplicationAuthMethod.ClientSecretBasic
                        ? ClientSecretMethod.ClientSecretBasic
                        : ClientSecretMethod.ClientSecretPost;
                    await AuthorityCallAsync((a, token) => Done(a.UseClientSecretAsync(clientId, method, token)), ct);
                    actions.Add("switched the application back to its client secret");
                }
                else
                {
                    if (remaining.Count == 0 && _checkpoint.AttachedBeforeApply is { Count: > 0 } before)
                    {
                        remaining = before.Where(id => application.Credentials.Any(c => c.Id == id)).ToList();
                    }

                    await AuthorityCallAsync((a, token) => Done(a.AttachPublicKeyCredentialsAsync(clientId, remaining, token)), ct);
                    actions.Add($"detached the new credential {newId}");
                }
            }

            await AuthorityCallAsync((a, token) => a.DeleteCredentialAsync(clientId, newId, token), ct);
            actions.Add($"deleted the new credential {newId}");
        }

        // ---- Helpers ------------------------------------------------------------------------------------

        private GeneratedCredential Pending => _pending ?? throw new StepFailedException("The run has no generated credential (its Generate step did not finish).");

        private GeneratedCredential? ActiveSlot()
        {
            var slots = _rotation.ReadGeneratedCredentials(owner._protector);
            return slots.Count > _rotation.ActiveIndex ? slots[_rotation.ActiveIndex] : null;
        }

        private string PrimaryKey() => IsSecretStrategy
            ? _rotation.SecretsMapping.ClientSecret ?? throw new StepFailedException("The rotation maps no client secret.")
            : _rotation.SecretsMapping.PrivateKey ?? throw new StepFailedException("The rotation maps no private key.");

        private IReadOnlyDictionary<string, string> MappedValues(GeneratedCredential credential)
        {
            var mapping = _rotation.SecretsMapping;
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

        private IReadOnlyCollection<string> MappedKeys() =>
            IsSecretStrategy
                ? [_rotation.SecretsMapping.ClientId, PrimaryKey()]
                : [_rotation.SecretsMapping.ClientId, PrimaryKey(), _rotation.SecretsMapping.KeyId!];

        private void SetCheckpoint(RunCheckpoint checkpoint)
        {
            _checkpoint = checkpoint;
            checkpoint.WriteTo(run);
        }

        private void RememberSecrets(GeneratedCredential? credential)
        {
            if (credential is not null)
            {
                _knownSecrets.AddRange(credential.SecretMaterial);
            }
        }

        private async Task<Rotation?> SaveAsync(Action<Rotation>? rotationChange = null, AuditEvent? auditEvent = null)
        {
            // Completed work is recorded even while shutting down: the save is short, and it saves a repeat.
            return await owner._store.SaveRunAsync(run, leaseHolder, rotationChange, auditEvent is null ? null : [auditEvent], CancellationToken.None);
        }

        private void Publish(RunStepName name)
        {
            var step = run.Step(name);
            owner._notifier.Publish(new RunStepChangedEvent(_rotation.Id, run.Id, name, step.Status, step.Message, Now));
        }

        private async Task<T> AuthorityCallAsync<T>(Func<ICredentialAuthority, CancellationToken, Task<T>> call, CancellationToken ct)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    _authority ??= await owner._authorities.CreateAsync(_rotation.ConnectionId, ct);
                    return await call(_authority, ct);
                }
                catch (CredentialAuthorityException exception) when (exception.IsTransient && attempt < Options.TransientRetryAttempts)
                {
                    var delay = Backoff.Delay(attempt, Options.TransientRetryBaseDelay, Options.TransientRetryMaxDelay);
                    _lastTransientError = Scrubber.Scrub(exception.Message);
                    Log.RetryingTransient(owner._logger, run.Id, attempt + 1, delay.TotalMilliseconds, _lastTransientError);
                    await NoteWaitingForAuth0Async(attempt + 2, Now + delay);
                    await Task.Delay(delay, owner._timeProvider, ct);
                }
            }
        }

        private async Task StoreCallAsync(Func<Task<OperationResult>> call)
        {
            for (var attempt = 0; ; attempt++)
            {
                var result = await call();
                if (result.Succeeded)
                {
                    return;
                }

                // A lost optimistic-concurrency race (someone else saved the secret a moment ago) is worth one more try.
                if (result.Failure!.Kind != OperationFailureKind.Conflict || attempt >= 2 || !result.Failure.Message.Contains("changed by someone else", StringComparison.Ordinal))
                {
                    throw new StepFailedException(result.Failure.Message);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50 * (attempt + 1)), owner._timeProvider);
            }
        }

        private async Task<VerifyResult> VerifyLoopAsync(Func<ICredentialAuthority, CancellationToken, Task<CredentialCheck>> check, CancellationToken ct)
        {
            var started = owner._timeProvider.GetTimestamp();
            var deadline = Options.VerifyTimeout;
            var delay = Options.VerifyInitialDelay;
            for (var attempt = 1; ; attempt++)
            {
                _authority ??= await owner._authorities.CreateAsync(_rotation.ConnectionId, ct);
                var result = await check(_authority, ct);
                var elapsed = owner._timeProvider.GetElapsedTime(started);
                if (result.Outcome is CredentialCheckOutcome.Accepted or CredentialCheckOutcome.Error)
                {
                    return new VerifyResult(result, attempt, elapsed);
                }

                // A 401 right after a change can be Auth0's propagation delay; keep asking until the deadline.
                var pause = Backoff.Jitter(delay);
                if (elapsed + pause > deadline)
                {
                    return new VerifyResult(result, attempt, elapsed);
                }

                Log.VerifyRetry(owner._logger, run.Id, attempt, result.Outcome, pause.TotalMilliseconds);
                await Task.Delay(pause, owner._timeProvider, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Options.VerifyMaxDelay.Ticks));
            }
        }

        /// <summary>Tells readers of the running step why it waits and when the run gives up.</summary>
        private async Task NoteWaitingForAuth0Async(int nextAttempt, DateTimeOffset nextTryAt)
        {
            if (_currentStep is not { } step || run.Step(step).Status != RunStepStatus.Running)
            {
                return;
            }

            var givesUp = _limit is { } limit ? $"; the run gives up at {limit.EndsAt:HH:mm:ss} UTC" : "";
            run.NoteStep(step, $"Waiting for Auth0 (attempt {nextAttempt}, next try at {nextTryAt:HH:mm:ss} UTC{givesUp}). Last answer: {_lastTransientError}", Scrubber);
            await SaveAsync();
            Publish(step);
        }

        private TimeLimit StartTimeLimit(TimeSpan length, string limitOwner, string setting)
        {
            _limit = new TimeLimit(length, limitOwner, setting, _stopping, owner._timeProvider, Now);
            return _limit;
        }

        private TimeLimit StartRollbackTimeLimit() =>
            StartTimeLimit(Options.RollbackTimeout, "the rollback's", $"{RotationEngineOptions.SectionName}:{nameof(RotationEngineOptions.RollbackTimeout)}");

        /// <summary>The run's own time limit cancelled the work (not a shutdown or a lost lease).</summary>
        private bool IsTimeLimitHit(Exception exception) =>
            exception is OperationCanceledException && _limit?.HasPassed == true && !_stopping.IsCancellationRequested;

        private string Explain(Exception exception)
        {
            if (!IsTimeLimitHit(exception))
            {
                return Describe(exception);
            }

            var last = _lastTransientError is null ? "" : $" Last answer: {_lastTransientError}";
            return $"Auth0 did not answer within {_limit!.Owner} time limit of {TimeLimit.Format(_limit.Length)} ({_limit.Setting}).{last}";
        }

        private static async Task<bool> Done(Task task)
        {
            await task;
            return true;
        }

        private static string Describe(Exception exception) => exception switch
        {
            StepFailedException or CredentialAuthorityException or DomainException => exception.Message,
            _ => $"{exception.GetType().Name}: {exception.Message}",
        };
    }

    private sealed record VerifyResult(CredentialCheck Check, int Attempts, TimeSpan Elapsed);

    /// <summary>A budget for Auth0 work: its token is cancelled when the budget is spent or the run is stopped.</summary>
    private sealed class TimeLimit : IDisposable
    {
        private readonly CancellationTokenSource _expiry;
        private readonly CancellationTokenSource _linked;

        public TimeLimit(TimeSpan length, string owner, string setting, CancellationToken stopping, TimeProvider timeProvider, DateTimeOffset now)
        {
            Length = length;
            Owner = owner;
            Setting = setting;
            EndsAt = now + length;
            _expiry = new CancellationTokenSource(length, timeProvider);
            _linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _expiry.Token);
        }

        public TimeSpan Length { get; }

        /// <summary>Whose limit it is, for messages: "the run's", "the rollback's".</summary>
        public string Owner { get; }

        /// <summary>The setting that changes it.</summary>
        public string Setting { get; }

        public DateTimeOffset EndsAt { get; private set; }

        public CancellationToken Token => _linked.Token;

        public bool HasPassed => _expiry.IsCancellationRequested;

        /// <summary>A full budget again from now (after a planned wait).</summary>
        public void Restart(DateTimeOffset now)
        {
            if (!HasPassed)
            {
                _expiry.CancelAfter(Length);
                EndsAt = now + Length;
            }
        }

        public static string Format(TimeSpan length) =>
            length.TotalMinutes >= 1 && length.Seconds == 0 ? $"{length.TotalMinutes:0} min" : $"{length.TotalSeconds:0.#} s";

        public void Dispose()
        {
            _linked.Dispose();
            _expiry.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} step {Step} succeeded in {ElapsedMs:0} ms")]
        public static partial void StepSucceeded(ILogger logger, Guid runId, RunStepName step, double elapsedMs);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step} failed: {Reason}")]
        public static partial void StepFailed(ILogger logger, Guid runId, RunStepName step, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} of rotation {RotationId} succeeded")]
        public static partial void RunSucceeded(ILogger logger, Guid runId, Guid rotationId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} of rotation {RotationId} succeeded, but the previous key could not be retired; the next run removes it")]
        public static partial void RunSucceededWithCleanupPending(ILogger logger, Guid runId, Guid rotationId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} of rotation {RotationId} failed at {Step} and ended {Status}")]
        public static partial void RunRolledBack(ILogger logger, Guid runId, Guid rotationId, RunStepName step, RunStatus status);

        [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} of rotation {RotationId} withdrawn in its lead time: auto-rotation was turned off")]
        public static partial void RunWithdrawn(ILogger logger, Guid runId, Guid rotationId);

        [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} waits for the lead time until {Due:o}")]
        public static partial void WaitingForLeadTime(ILogger logger, Guid runId, DateTimeOffset due);

        [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} waits in Retire until {Due:o}")]
        public static partial void WaitingForRetire(ILogger logger, Guid runId, DateTimeOffset due);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: retryable failure, attempt {Attempt}, next try in {DelayMs:0} ms: {Reason}")]
        public static partial void RetryingTransient(ILogger logger, Guid runId, int attempt, double delayMs, string reason);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Run {RunId}: verification attempt {Attempt} answered {Outcome}; next in {DelayMs:0} ms")]
        public static partial void VerifyRetry(ILogger logger, Guid runId, int attempt, CredentialCheckOutcome outcome, double delayMs);
    }
}

/// <summary>Exponential backoff with ±20 % jitter.</summary>
public static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        var exponential = baseDelay.Ticks * Math.Pow(2, Math.Min(attempt, 30));
        return Jitter(TimeSpan.FromTicks((long)Math.Min(exponential, maxDelay.Ticks)));
    }

    public static TimeSpan Jitter(TimeSpan delay) =>
        TimeSpan.FromTicks((long)(delay.Ticks * (0.8 + (Random.Shared.NextDouble() * 0.4))));
}
