using RotationDashboard.Testing;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;

namespace RotationDashboard.Core.Tests.Rotations.Engine;

[Trait(TestKind.Trait, TestKind.Unit)]
public class RotationRunnerTests
{
    [Fact]
    public async Task Single_phase_applies_verifies_and_promotes_and_marks_the_old_secret_dead()
    {
        await using var f = new EngineFixture(RotationStrategy.SinglePhase);

        var first = await f.RunAsync(RunTrigger.Create);
        var firstSecret = f.Authority.Secret;
        var second = await f.RunAsync();

        Assert.Equal(RunStatus.Succeeded, first.Status);
        Assert.Equal(RunStatus.Succeeded, second.Status);
        Assert.Equal(f.Authority.Secret, f.SecretStore.Current(f.Folder, f.Mapping.ClientSecret!));
        Assert.Equal(EngineFixture.ClientId, f.SecretStore.Current(f.Folder, f.Mapping.ClientId));
        Assert.Equal(64, f.Authority.Secret!.Length);
        Assert.All(f.Authority.Secret, c => Assert.Contains(c, ClientSecretGenerator.Alphabet));

        // Seed 002's fields: the new credential went to the other slot, activeIndex flipped, the old slot is dead.
        Assert.Equal((RotationStatus.Success, 1, second.RunId), (f.Rotation.RotationStatus, f.Rotation.ActiveIndex, f.Rotation.LastRotationJobId));
        Assert.Equal([firstSecret, f.Authority.Secret], f.Slots.Select(s => s.ClientSecret));
        Assert.False(f.Slots[0].IsValid);
        Assert.True(f.Slots[1].IsValid);
        Assert.NotNull(f.Rotation.NextRotationAt);

        var run = f.Run(second.RunId);
        Assert.Equal(
            [RunStepStatus.Succeeded, RunStepStatus.Skipped, RunStepStatus.Succeeded, RunStepStatus.Succeeded, RunStepStatus.Succeeded, RunStepStatus.Skipped],
            run.Steps.Select(s => s.Status));
        Assert.Null(run.EncryptedPendingCredential);
        Assert.Equal(["get", "set-secret", "verify"], f.Authority.Calls.Skip(3));
    }

    [Fact]
    public async Task Staged_publishes_next_before_auth0_switches_then_promotes_keeping_previous()
    {
        await using var f = new EngineFixture(RotationStrategy.Staged, leadTime: TimeSpan.FromSeconds(1));
        await f.RunAsync(RunTrigger.Create);
        var old = f.Authority.Secret!;
        string? nextWhenApplied = null;
        f.Authority.Fault = op =>
        {
            if (op == "set-secret")
            {
                nextWhenApplied = f.SecretStore.Next(f.Folder, f.Mapping.ClientSecret!);
            }

            return null;
        };

        var started = DateTimeOffset.UtcNow;
        var result = await f.RunAsync();

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(f.Authority.Secret, nextWhenApplied);
        Assert.Equal(f.Authority.Secret, f.SecretStore.Current(f.Folder, f.Mapping.ClientSecret!));
        Assert.Null(f.SecretStore.Next(f.Folder, f.Mapping.ClientSecret!));
        var run = f.Run(result.RunId);
        var waited = run.Step(RunStepName.Apply).StartedAt!.Value - run.Step(RunStepName.Publish).FinishedAt!.Value;
        Assert.InRange(waited, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromSeconds(0.9));
        Assert.Contains(f.Notifier.Events, e => e is RunWaitingEvent { Step: RunStepName.Apply });
        Assert.Equal(old, f.Slots[0].ClientSecret);
    }

    [Fact]
    public async Task Private_key_jwt_overlaps_both_keys_then_retires_the_old_one_after_the_grace_period()
    {
        await using var f = new EngineFixture(RotationStrategy.PrivateKeyJwt, gracePeriod: TimeSpan.FromSeconds(1));
        f.Authority.AuthMethod = ApplicationAuthMethod.PrivateKeyJwt;
        var create = await f.RunAsync(RunTrigger.Create);
        Assert.Equal(RunStatus.Succeeded, create.Status);
        var firstKey = f.SecretStore.Current(f.Folder, f.Mapping.PrivateKey!)!;
        var firstCredential = f.Slots.Single().CredentialId!;

        var result = await f.RunAsync();

        // Promoted, but the run waits in Retire: both keys work.
        Assert.True(result.IsWaiting);
        var newKey = f.SecretStore.Current(f.Folder, f.Mapping.PrivateKey!)!;
        Assert.NotEqual(firstKey, newKey);
        Assert.True(f.Authority.Accepts(firstKey));
        Assert.True(f.Authority.Accepts(newKey));
        Assert.Equal(TestKeyPairs.KeyIdOf(newKey), f.SecretStore.Current(f.Folder, f.Mapping.KeyId!));
        Assert.Equal((RotationStatus.Success, 1), (f.Rotation.RotationStatus, f.Rotation.ActiveIndex));
        Assert.True(f.Slots[0].IsValid);
        Assert.Contains(f.FollowUps.Resumes, r => r.RotationId == f.Rotation.Id && r.At == result.WaitingUntil);

        // Not due yet: nothing to resume.
        Assert.Equal(RunStartStatus.NothingToResume, (await f.Engine.ResumeAsync(f.Rotation.Id)).Status);
        await Task.Delay(result.WaitingUntil!.Value - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(50));
        var resumed = await f.Engine.ResumeAsync(f.Rotation.Id);
        Assert.Equal(RunStartStatus.Resumed, resumed.Status);
        Assert.Equal(RunStatus.Succeeded, (await resumed.Completion)!.Status);

        Assert.False(f.Authority.Accepts(firstKey));
        Assert.True(f.Authority.Accepts(newKey));
        Assert.DoesNotContain(f.Authority.Keys, k => k.Id == firstCredential);
        Assert.False(f.Slots[0].IsValid);
    }

    [Fact]
    public async Task A_new_run_cuts_a_pending_grace_period_short_instead_of_attaching_a_third_key()
    {
        await using var f = new EngineFixture(RotationStrategy.PrivateKeyJwt, gracePeriod: TimeSpan.FromHours(1));
        await f.RunAsync(RunTrigger.Create);
        Assert.True((await f.RunAsync()).IsWaiting);
        Assert.Equal(2, f.Authority.Attached.Count);

        var third = await f.RunAsync();

        Assert.True(third.IsWaiting);
        Assert.Equal(2, f.Authority.Attached.Count);
        Assert.Equal(2, f.Authority.Keys.Count);
        Assert.Single(f.Store.Runs.Values, r => !r.IsFinished);
        Assert.True(f.Authority.Accepts(f.SecretStore.Current(f.Folder, f.Mapping.PrivateKey!)!));
    }

    [Fact]
    public async Task Private_key_jwt_refuses_to_switch_a_client_secret_application_without_consent()
    {
        await using var f = new EngineFixture(RotationStrategy.PrivateKeyJwt);
        f.Authority.AuthMethod = ApplicationAuthMethod.ClientSecretPost;

        var refused = await f.RunAsync(RunTrigger.Create);

        Assert.Equal(RunStatus.RolledBack, refused.Status);
        Assert.Contains("client secret", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ApplicationAuthMethod.ClientSecretPost, f.Authority.AuthMethod);
        Assert.Empty(f.Authority.Keys);
        Assert.Null(f.SecretStore.Next(f.Folder, f.Mapping.PrivateKey!));

        var switched = await f.RunAsync(RunTrigger.Create, new RunStartOptions { AllowAuthMethodSwitch = true });
        Assert.Equal(RunStatus.Succeeded, switched.Status);
        Assert.Equal(ApplicationAuthMethod.PrivateKeyJwt, f.Authority.AuthMethod);
    }

    [Fact]
    public async Task A_new_secret_that_never_works_is_rolled_back_and_the_failure_carries_no_secret()
    {
        await using var f = new EngineFixture(RotationStrategy.Staged);
        await f.RunAsync(RunTrigger.Create);
        var current = f.Authority.Secret!;
        f.Authority.VerifyOverride = _ => new CredentialCheck(CredentialCheckOutcome.Rejected, $"401 access_denied client_secret={f.Authority.Secret}");

        var result = await f.RunAsync();

        Assert.Equal(RunStatus.RolledBack, result.Status);
        Assert.Equal(current, f.Authority.Secret);
        Assert.Equal(current, f.SecretStore.Current(f.Folder, f.Mapping.ClientSecret!));
        Assert.Null(f.SecretStore.Next(f.Folder, f.Mapping.ClientSecret!));
        var message = f.Rotation.ReadLastRotationMessage(f.Protector)!;
        Assert.Equal(RotationStatus.Failed, f.Rotation.RotationStatus);
        Assert.Contains("still rejects the new client secret", message, StringComparison.Ordinal);
        Assert.Contains("set the CURRENT client secret in Auth0 again", message, StringComparison.Ordinal);
        var run = f.Run(result.RunId);
        var texts = run.Steps.Select(s => s.Message).Append(run.Message).Append(message).Concat(f.Store.Audit.Select(a => a.Details)).ToList();
        var generated = f.Store.Audit.Count;
        Assert.True(generated > 0);
        Assert.All(texts, text => Assert.DoesNotContain(current, text ?? "", StringComparison.Ordinal));
        Assert.Equal(RunStepStatus.Failed, run.Step(RunStepName.Verify).Status);
        Assert.Equal(f.Calculator.NextRetryAt(f.Rotation.RotateAtUtc, f.Rotation.LastRotationAttemptedAt!.Value), f.Rotation.NextRotationAt);
        Assert.Single(f.Rotation.Slots(f.Protector));
        Assert.Contains(f.Store.Audit, a => a.Outcome == AuditOutcome.Failure && a.Action == AuditActions.RotationRotate);
    }

    [Fact]
    public async Task A_first_issuance_that_cannot_be_verified_keeps_the_secret_auth0_now_holds()
    {
        await using var f = new EngineFixture(RotationStrategy.SinglePhase);
        f.Authority.VerifyOverride = _ => new CredentialCheck(CredentialCheckOutcome.Rejected, "401");

        var result = await f.RunAsync(RunTrigger.Create);

        // Nothing older to restore: the secret Auth0 now has is not thrown away.
        var run = f.Run(result.RunId);
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(f.Authority.Secret, run.ReadPendingCredential(f.Protector)!.ClientSecret);
        Assert.Contains("kept, encrypted", result.Message, StringComparison.Ordinal);
        Assert.Equal(RotationStatus.Failed, f.Rotation.RotationStatus);
    }

    [Fact]
    public async Task A_401_during_propagation_is_retried_and_a_403_counts_as_accepted()
    {
        // A deadline far beyond the three quick polls, so a slow machine cannot turn the third poll into a timeout.
        await using var f = new EngineFixture(RotationStrategy.SinglePhase, o => o.VerifyTimeout = TimeSpan.FromSeconds(30));
        f.Authority.VerifyOverride = n => n switch
        {
            < 3 => new CredentialCheck(CredentialCheckOutcome.Rejected, "401"),
            _ => new CredentialCheck(CredentialCheckOutcome.Accepted, "authenticated; AuthenticatedNotAuthorized (403)"),
        };

        var result = await f.RunAsync(RunTrigger.Create);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(3, f.Authority.Verifications);
        Assert.Contains("after 3 attempt(s)", f.Run(result.RunId).Step(RunStepName.Verify).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retryable_failures_are_retried_with_backoff_and_then_give_up_safely()
    {
        await using var f = new EngineFixture(RotationStrategy.SinglePhase);
        await f.RunAsync(RunTrigger.Create);
        var current = f.Authority.Secret;
        var failures = 2;
        f.Authority.Fault = op => op == "set-secret" && failures-- > 0 ? new CredentialAuthorityException("Auth0 unavailable: 503", isTransient: true, statusCode: 503) : null;

        Assert.Equal(RunStatus.Succeeded, (await f.RunAsync()).Status);
        Assert.NotEqual(current, f.Authority.Secret);

        current = f.Authority.Secret;
        f.Authority.Fault = op => op == "set-secret" ? new CredentialAuthorityException("Auth0 rate limit: 429", isTransient: true, statusCode: 429) : null;
        var failed = await f.RunAsync();

        Assert.Equal(RunStatus.Failed, failed.Status); // the rollback's own PATCH failed too: it says so
        Assert.Contains("Rollback incomplete", failed.Message, StringComparison.Ordinal);
        Assert.Equal(current, f.Authority.Secret);
        // Create 1, the retried run 2 + 1, the failing run 1 + 3 retries and its rollback 1 + 3 retries.
        Assert.Equal(12, f.Authority.Calls.Count(c => c == "set-secret"));
        Assert.Equal(RotationStatus.Failed, f.Rotation.RotationStatus);
    }

    [Theory]
    [InlineData(RotationStrategy.SinglePhase)]
    [InlineData(RotationStrategy.Staged)]
    [InlineData(RotationStrategy.PrivateKeyJwt)]
    public async Task A_run_stopped_after_any_save_resumes_and_the_consumer_credential_always_works(RotationStrategy strategy)
    {
        await using var f = new EngineFixture(strategy);
        await f.RunAsync(RunTrigger.Create);
        var saves = f.Store.Saves;

        // Count the saves of one clean run, then stop a run after each of them in turn.
        await f.RunAsync();
        var savesPerRun = f.Store.Saves - saves;
        Assert.InRange(savesPerRun, 5, 30);

        for (var stopAfter = 1; stopAfter < savesPerRun; stopAfter++)
        {
            var count = 0;
            var target = stopAfter;
            f.Store.AfterSave = _ =>
            {
                if (++count == target)
                {
                    throw new OperationCanceledException("crash");
                }
            };
            var interrupted = await f.RunAsync();
            f.Store.AfterSave = null;
            if (strategy != RotationStrategy.SinglePhase)
            {
                AssertConsumerWorks(f); // single-phase is not zero-downtime: its consumers wait for the resumed run
            }

            if (!interrupted.IsInterrupted || f.Store.Runs.Values.All(r => r.IsFinished))
            {
                continue;
            }

            var resumed = await f.Engine.ResumeAsync(f.Rotation.Id);
            Assert.True(resumed.IsRunning, $"stop after save {stopAfter}: {resumed.Status}");
            var result = (await resumed.Completion)!;
            Assert.True(result.Status == RunStatus.Succeeded, $"stop after save {stopAfter}: {result.Status} {result.Message}");
            AssertConsumerWorks(f);
            Assert.Equal(f.Run(result.RunId).Id, f.Rotation.LastRotationJobId);
        }

        Assert.DoesNotContain(f.Store.Runs.Values, r => !r.IsFinished);
    }

    [Fact]
    public async Task Concurrent_triggers_start_exactly_one_run()
    {
        await using var f = new EngineFixture(RotationStrategy.SinglePhase);
        await f.RunAsync(RunTrigger.Create);
        // The winning run holds at its first Auth0 call until every trigger has had its answer.
        var allAnswered = new ManualResetEventSlim();
        f.Authority.Fault = op =>
        {
            if (op == "get")
            {
                allAnswered.Wait(TimeSpan.FromSeconds(10));
            }

            return null;
        };

        var triggers = new[] { RunTrigger.Manual, RunTrigger.Api, RunTrigger.Manual, RunTrigger.Api };
        var starts = await Task.WhenAll(triggers.Select(t => Task.Run(() => f.Engine.StartAsync(f.Rotation.Id, t, Actor.User("ada")))));
        allAnswered.Set();

        Assert.Single(starts, s => s.Status == RunStartStatus.Started);
        Assert.All(starts.Where(s => s.Status != RunStartStatus.Started), s =>
        {
            Assert.Equal(RunStartStatus.AlreadyRunning, s.Status);
            Assert.Contains("already in progress", s.Message, StringComparison.Ordinal);
        });
        await Task.WhenAll(starts.Select(s => s.Completion));
        Assert.Equal(2, f.Store.Runs.Count);
    }

    [Fact]
    public async Task A_scheduled_trigger_runs_only_when_due_and_auto_rotation_is_on()
    {
        await using var f = new EngineFixture(RotationStrategy.SinglePhase);
        await f.RunAsync(RunTrigger.Create);
        Assert.True(f.Rotation.NextRotationAt > DateTimeOffset.UtcNow.AddDays(1));

        var early = await f.Engine.StartAsync(f.Rotation.Id, RunTrigger.Schedule, Actor.Scheduler);
        f.Rotation.SetAutoRotation(false, f.Calculator, DateTimeOffset.UtcNow);
        var disabled = await f.Engine.StartAsync(f.Rotation.Id, RunTrigger.Schedule, Actor.Scheduler);

        Assert.Equal(RunStartStatus.NotDue, early.Status);
        Assert.Equal(RunStartStatus.NotDue, disabled.Status);
        Assert.Single(f.Store.Runs);
        Assert.Empty(f.Store.Leases);
    }

    [Fact]
    public async Task A_holder_whose_lease_was_taken_over_stops_without_writing()
    {
        await using var f = new EngineFixture(RotationStrategy.SinglePhase);
        await f.RunAsync(RunTrigger.Create);
        f.Authority.Fault = op =>
        {
            if (op == "set-secret")
            {
                // Another instance took the lease while this one stalled.
                f.Store.Leases[f.Rotation.Id] = ("someone-else", DateTimeOffset.UtcNow.AddMinutes(1));
            }

            return null;
        };

        var result = await f.RunAsync();

        Assert.True(result.IsInterrupted);
        Assert.Equal(RunStatus.Running, f.Run(result.RunId).Status);
        Assert.Equal("someone-else", f.Store.Leases[f.Rotation.Id].Holder);
    }

    private static void AssertConsumerWorks(EngineFixture f)
    {
        // A consumer holding CURRENT and NEXT from the store: one of them works in the identity provider.
        if (f.Rotation.Strategy == RotationStrategy.PrivateKeyJwt)
        {
            var keys = new[] { f.SecretStore.Current(f.Folder, f.Mapping.PrivateKey!), f.SecretStore.Next(f.Folder, f.Mapping.PrivateKey!) };
            Assert.Contains(keys.OfType<string>(), f.Authority.Accepts);
            return;
        }

        var secrets = new[] { f.SecretStore.Current(f.Folder, f.Mapping.ClientSecret!), f.SecretStore.Next(f.Folder, f.Mapping.ClientSecret!) };
        Assert.Contains(f.Authority.Secret, secrets);
    }
}

internal static class RotationTestExtensions
{
    public static IReadOnlyList<GeneratedCredential> Slots(this Rotation rotation, RotationDashboard.Core.Encryption.ISecretProtector protector) =>
        rotation.ReadGeneratedCredentials(protector);
}
