using RotationDashboard.Testing;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Rotations.Engine.Steps;

namespace RotationDashboard.Core.Tests.Rotations.Engine.Steps;

[Trait(TestKind.Trait, TestKind.Unit)]
public class StepTests
{
    private const string OriginalSecret = "original-secret-value-0000000000000000000000000000";

    [Fact]
    public async Task Generate_stores_a_new_secret_encrypted_in_the_run_and_keeps_it_when_repeated()
    {
        await using var h = await StepHarness.StartAsync(RotationStrategy.SinglePhase);

        var outcome = await h.ExecuteAsync(GenerateStep.Instance);
        var secret = h.Context.Pending!.ClientSecret!;
        var again = await GenerateStep.Instance.ExecuteAsync(h.NewContext(), CancellationToken.None);

        Assert.Equal(64, secret.Length);
        Assert.Contains("64-character client secret", outcome.Message);
        Assert.DoesNotContain(secret, outcome.Message);
        Assert.NotNull(h.Run.EncryptedPendingCredential);
        Assert.Equal(secret, h.Run.ReadPendingCredential(h.F.Protector)!.ClientSecret);
        Assert.Equal("Kept the credential generated before the interruption.", again.Message);
        Assert.Equal(secret, h.Context.Pending!.ClientSecret);
        Assert.Empty(await h.UndoAsync(GenerateStep.Instance));
        Assert.NotNull(h.Run.EncryptedPendingCredential);
    }

    [Fact]
    public async Task Generate_makes_a_key_pair_for_private_key_jwt()
    {
        await using var h = await StepHarness.StartAsync(RotationStrategy.PrivateKeyJwt);

        var outcome = await h.ExecuteAsync(GenerateStep.Instance);

        var pending = h.Context.Pending!;
        Assert.NotNull(pending.PrivateKeyPem);
        Assert.Equal(TestKeyPairs.KeyIdOf(pending.PrivateKeyPem!), pending.KeyId);
        Assert.Contains($"key id {pending.KeyId}", outcome.Message);
    }

    [Fact]
    public async Task Publish_puts_the_new_credential_in_next_and_undo_withdraws_it()
    {
        await using var h = await StepHarness.StartAsync(RotationStrategy.Staged);
        await h.ExecuteAsync(GenerateStep.Instance);

        await h.ExecuteAsync(PublishStep.Instance);
        var published = h.F.SecretStore.Next(h.F.Folder, h.F.Mapping.ClientSecret!);
        var actions = await h.UndoAsync(PublishStep.Instance);

        Assert.Equal(h.Context.Pending!.ClientSecret, published);
        Assert.Null(h.F.SecretStore.Next(h.F.Folder, h.F.Mapping.ClientSecret!));
        Assert.Equal(["withdrew the NEXT values"], actions);
    }

    [Fact]
    public async Task Apply_secret_sets_it_in_auth0_after_recording_the_change_and_undo_sets_current_again()
    {
        await using var h = await StepHarness.StartAsync(RotationStrategy.SinglePhase);
        await h.F.SecretStore.SetCurrentAsync(new RotationIdentity(h.F.Rotation.Id, h.F.Rotation.Name), h.F.Folder,
            new Dictionary<string, string> { [h.F.Mapping.ClientId] = EngineFixture.ClientId, [h.F.Mapping.ClientSecret!] = OriginalSecret },
            Actor.User("ada@example.com"));
        await h.ExecuteAsync(GenerateStep.Instance);
        bool? changedBeforeSet = null;
        h.F.Authority.Fault = op =>
        {
            if (op == "set-secret")
            {
                changedBeforeSet ??= RunCheckpoint.Read(h.Run).AuthorityChanged;
            }

            return null;
        };

        await h.ExecuteAsync(ApplySecretStep.Instance);
        var applied = h.F.Authority.Secret;
        var actions = await h.UndoAsync(ApplySecretStep.Instance);

        Assert.Equal(h.Context.Pending!.ClientSecret, applied);
        Assert.True(changedBeforeSet);
        Assert.Equal(ApplicationAuthMethod.ClientSecretPost, h.Context.Checkpoint.AuthMethodBeforeApply);
        Assert.Equal(OriginalSecret, h.F.Authority.Secret);
        Assert.Equal(["set the CURRENT client secret in Auth0 again"], actions);
        Assert.False(h.Context.KeepPending);
    }

    [Fact]
    public async Task Apply_secret_undo_on_a_first_issuance_keeps_the_secret_auth0_holds()
    {
        await using var h = await StepHarness.StartAsync(RotationStrategy.SinglePhase, RunTrigger.Create);
        await h.ExecuteAsync(GenerateStep.Instance);
        await h.ExecuteAsync(ApplySecretStep.Instance);

        var actions = await h.UndoAsync(ApplySecretStep.Instance);

        Assert.Equal(h.Context.Pending!.ClientSecret, h.F.Authority.Secret);
        Assert.Equal(["no earlier secret to restore in Auth0 (first issuance)"], actions);
        Assert.True(h.Context.KeepPending);
    }

    [Fact]
    public async Task Apply_secret_refuses_a_private_key_jwt_application_and_its_undo_then_has_nothing_to_do()
    {
        await using var h = await StepHarness.StartAsync(RotationStrategy.SinglePhase);
        await h.ExecuteAsync(GenerateStep.Instance);
        h.F.Authority.AuthMethod = ApplicationAuthMethod.PrivateKeyJwt;

        var failure = await h.ExecuteFailingAsync(ApplySecretStep.Instance);
        h.F.Authority.Fault = _ => throw new InvalidOperationException("Undo must not call Auth0.");

        Assert.Contains("authenticates with Private Key JWT", failure.Message);
        Assert.Empty(await h.UndoAsync(ApplySecretStep.Instance));
        Assert.Equal(OriginalSecret, h.F.Authority.Secret);
    }

    [Fact]
    public async Task Apply_key_attaches_the_new_key_beside_the_current_one_and_undo_detaches_and_deletes_it()
    {
        await using var h = await StepHarness.StartAsync(RotationStrategy.PrivateKeyJwt, allowAuthMethodSwitch: true);
        h.F.Authority.AuthMethod = ApplicationAuthMethod.ClientSecretPost;
        await h.ExecuteAsync(GenerateStep.Instance);

        var outcome = await h.ExecuteAsync(ApplyKeyStep.Instance);
        var credentialId = h.Context.Pending!.CredentialId!;
        var attached = h.F.Authority.Attached.ToList();
        var actions = await h.UndoAsync(ApplyKeyStep.Instance);

        Assert.Equal([credentialId], attached);
        Assert.Contains("the application now uses Private Key JWT", outcome.Message);
        Assert.Equal(credentialId, h.Run.ReadPendingCredential(h.F.Protector)!.CredentialId);
        Assert.Equal(["switched the application back to its client secret", $"deleted the new credential {credentialId}"], actions);
        Assert.Equal(ApplicationAuthMethod.ClientSecretPost, h.F.Authority.AuthMethod);
        Assert.DoesNotContain(h.F.Authority.Keys, k => k.Id == credentialId);
    }

    [Fact]
    public async Task Apply_key_does_not_switch_a_client_secret_application_without_consent()
    {
        await using var h = await StepHarness.StartAsync(RotationStrategy.PrivateKeyJwt);
        h.F.Authority.AuthMethod = ApplicationAuthMethod.ClientSecretPost;
        await h.ExecuteAsync(GenerateStep.Instance);

        var failure = await h.ExecuteFailingAsync(ApplyKeyStep.Instance);

        Assert.Contains("authenticates with a client secret", failure.Message);
        Assert.Empty(h.F.Authority.Keys);
        Assert.Null(h.Context.Checkpoint.AuthorityChanged);
    }

    [Fact]
    public async Task Verify_accepts_after_the_propagation_delay_and_fails_when_auth0_keeps_rejecting()
    {
        // A deadline far beyond the three quick polls while Auth0 is propagating, so a slow machine cannot turn the
        // third poll into a timeout; then the fixture's short deadline for the credential Auth0 keeps rejecting.
        var fixture = new EngineFixture(RotationStrategy.SinglePhase, o => o.VerifyTimeout = TimeSpan.FromSeconds(30));
        await using var h = await StepHarness.StartAsync(RotationStrategy.SinglePhase, fixture: fixture);
        await h.ExecuteAsync(GenerateStep.Instance);
        await h.ExecuteAsync(ApplySecretStep.Instance);
        h.F.Authority.VerifyOverride = n => n < 3 ? new CredentialCheck(CredentialCheckOutcome.Rejected, "401") : null;

        var outcome = await h.ExecuteAsync(VerifyStep.Instance);
        h.F.Options.VerifyTimeout = TimeSpan.FromMilliseconds(200);
        h.F.Authority.VerifyOverride = _ => new CredentialCheck(CredentialCheckOutcome.Rejected, "401 access_denied");
        var failure = await Assert.ThrowsAsync<StepFailedException>(() => VerifyStep.Instance.ExecuteAsync(h.Context, CancellationToken.None));

        Assert.Contains("Auth0 accepted the new client secret", outcome.Message);
        Assert.Contains("after 3 attempt(s)", outcome.Message);
        Assert.Contains("still rejects the new client secret", failure.Message);
        Assert.Empty(await h.UndoAsync(VerifyStep.Instance));
    }

    [Fact]
    public async Task Promote_maps_the_credential_as_current_and_records_the_success_and_the_slot()
    {
        await using var h = await StepHarness.StartAsync(RotationStrategy.SinglePhase);
        await h.ExecuteAsync(GenerateStep.Instance);
        await h.ExecuteAsync(ApplySecretStep.Instance);

        var outcome = await h.ExecuteAsync(PromoteStep.Instance);

        var secret = h.Context.Pending!.ClientSecret;
        Assert.Equal(secret, h.F.SecretStore.Current(h.F.Folder, h.F.Mapping.ClientSecret!));
        Assert.Equal(secret, h.F.Slots.Single().ClientSecret);
        Assert.Equal((RotationStatus.Success, h.Run.Id), (h.F.Rotation.RotationStatus, h.F.Rotation.LastRotationJobId));
        Assert.NotNull(outcome.Audit);
        Assert.DoesNotContain(secret!, outcome.Message);
        Assert.Empty(await h.UndoAsync(PromoteStep.Instance));
    }

    [Fact]
    public async Task Promote_of_a_staged_run_promotes_next_and_fails_when_next_is_gone()
    {
        await using var h = await StepHarness.StartAsync(RotationStrategy.Staged);
        await h.ExecuteAsync(GenerateStep.Instance);
        await h.ExecuteAsync(PublishStep.Instance);
        await h.UndoAsync(PublishStep.Instance);

        var failure = await h.ExecuteFailingAsync(PromoteStep.Instance);

        Assert.Contains("is no longer there", failure.Message);
    }

    [Fact]
    public async Task Grace_period_pauses_the_run_unless_forced_and_retire_then_deletes_the_previous_key()
    {
        await using var f = new EngineFixture(RotationStrategy.PrivateKeyJwt, gracePeriod: TimeSpan.FromHours(1));
        Assert.Equal(RunStatus.Succeeded, (await f.RunAsync(RunTrigger.Create)).Status);
        var firstCredential = f.Slots.Single().CredentialId!;
        var waiting = await f.RunAsync();
        Assert.True(waiting.IsWaiting);
        await using var h = await StepHarness.ContinueAsync(f, f.Run(waiting.RunId));

        var pause = await GracePeriodWait.Instance.WaitAsync(h.Context, forceRetire: false, CancellationToken.None);
        var forced = await GracePeriodWait.Instance.WaitAsync(h.Context, forceRetire: true, CancellationToken.None);
        var outcome = await h.ExecuteAsync(RetireStep.Instance);

        Assert.Equal(waiting.WaitingUntil, pause!.Until);
        Assert.StartsWith("Waiting for the grace period", pause.Note);
        Assert.Null(forced);
        Assert.Equal($"Detached and deleted the previous credential {firstCredential}.", outcome.Message);
        Assert.DoesNotContain(f.Authority.Keys, k => k.Id == firstCredential);
        Assert.Equal([f.Slots[f.Rotation.ActiveIndex].CredentialId!], f.Authority.Attached);
        Assert.False(f.Slots[f.Rotation.InactiveIndex].IsValid);
        Assert.Null(await GracePeriodWait.Instance.WaitAsync(h.NewContext(), forceRetire: false, CancellationToken.None));
        Assert.Empty(await h.UndoAsync(RetireStep.Instance));
    }

    [Fact]
    public async Task Lead_time_is_skipped_on_a_first_issuance_and_withdraws_a_scheduled_run_when_auto_rotation_is_off()
    {
        await using var create = await StepHarness.StartAsync(RotationStrategy.Staged, RunTrigger.Create);
        create.F.Rotation.SetAutoRotation(false, create.F.Calculator, DateTimeOffset.UtcNow);
        Assert.Null(await LeadTimeWait.Instance.WaitAsync(create.Context, forceRetire: false, CancellationToken.None));

        await using var scheduled = await StepHarness.StartAsync(RotationStrategy.Staged, RunTrigger.Schedule);
        scheduled.F.Rotation.SetAutoRotation(false, scheduled.F.Calculator, DateTimeOffset.UtcNow);
        await Assert.ThrowsAsync<RunWithdrawnException>(() => LeadTimeWait.Instance.WaitAsync(scheduled.Context, forceRetire: false, CancellationToken.None));
    }

    [Fact]
    public async Task Lead_time_waits_until_published_plus_lead_time()
    {
        await using var h = await StepHarness.StartAsync(
            RotationStrategy.Staged, fixture: new EngineFixture(RotationStrategy.Staged, leadTime: TimeSpan.FromSeconds(1)));
        await h.ExecuteAsync(GenerateStep.Instance);
        await h.ExecuteAsync(PublishStep.Instance);
        var publishedAt = h.Run.Step(RunStepName.Publish).FinishedAt!.Value;

        Assert.Null(await LeadTimeWait.Instance.WaitAsync(h.Context, forceRetire: false, CancellationToken.None));

        Assert.True(DateTimeOffset.UtcNow >= publishedAt + TimeSpan.FromSeconds(1));
        Assert.StartsWith("Waiting for the lead time", h.Run.Step(RunStepName.Apply).Message);
        Assert.Contains(h.F.Notifier.Events, e => e is RunWaitingEvent { Step: RunStepName.Apply });
    }
}
