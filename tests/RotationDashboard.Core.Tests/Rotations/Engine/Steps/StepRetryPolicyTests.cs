using RotationDashboard.Testing;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Rotations.Engine.Steps;

namespace RotationDashboard.Core.Tests.Rotations.Engine.Steps;

[Trait(TestKind.Trait, TestKind.Unit)]
public class StepRetryPolicyTests
{
    [Fact]
    public async Task A_transient_auth0_failure_is_retried_with_a_note_on_the_running_step_then_succeeds()
    {
        await using var h = await StepHarness.StartAsync(RotationStrategy.SinglePhase);
        h.Run.StartStep(RunStepName.Apply, DateTimeOffset.UtcNow);
        h.Context.CurrentStep = RunStepName.Apply;
        var failures = 2;
        h.F.Authority.Fault = op => op == "get" && failures-- > 0 ? new CredentialAuthorityException("Auth0 unavailable: 503", isTransient: true, statusCode: 503) : null;

        var application = await StepRetryPolicy.CallAuthorityAsync(h.Context, (a, ct) => a.GetApplicationAsync(EngineFixture.ClientId, false, ct), CancellationToken.None);

        Assert.Equal(EngineFixture.ClientId, application.ClientId);
        Assert.Equal(3, h.F.Authority.Calls.Count(c => c == "get"));
        Assert.StartsWith("Waiting for Auth0 (attempt 3", h.Run.Step(RunStepName.Apply).Message);
        Assert.Equal("Auth0 unavailable: 503", h.Context.LastTransientError);
    }

    [Fact]
    public async Task Auth0_calls_give_up_after_the_configured_attempts_and_do_not_retry_permanent_failures()
    {
        await using var h = await StepHarness.StartAsync(RotationStrategy.SinglePhase);
        h.F.Authority.Fault = op => op switch
        {
            "get" => new CredentialAuthorityException("Auth0 rate limit: 429", isTransient: true, statusCode: 429),
            "set-secret" => new CredentialAuthorityException("Auth0 refused: 400", statusCode: 400),
            _ => null,
        };

        await Assert.ThrowsAsync<CredentialAuthorityException>(() =>
            StepRetryPolicy.CallAuthorityAsync(h.Context, (a, ct) => a.GetApplicationAsync(EngineFixture.ClientId, false, ct), CancellationToken.None));
        await Assert.ThrowsAsync<CredentialAuthorityException>(() =>
            h.Context.CallAuthorityAsync((a, ct) => a.SetClientSecretAsync(EngineFixture.ClientId, "x", ct), CancellationToken.None));

        Assert.Equal(h.F.Options.TransientRetryAttempts + 1, h.F.Authority.Calls.Count(c => c == "get"));
        Assert.Equal(1, h.F.Authority.Calls.Count(c => c == "set-secret"));
    }

    [Fact]
    public async Task A_lost_secret_store_race_is_tried_twice_more_and_other_failures_fail_the_step_at_once()
    {
        await using var h = await StepHarness.StartAsync(RotationStrategy.SinglePhase);
        var raceCalls = 0;
        var otherCalls = 0;
        var recovering = 0;

        var race = await Assert.ThrowsAsync<StepFailedException>(() => StepRetryPolicy.CallSecretStoreAsync(h.Context, () =>
        {
            raceCalls++;
            return Task.FromResult(OperationResult.Conflict("The secret was changed by someone else."));
        }));
        await Assert.ThrowsAsync<StepFailedException>(() => StepRetryPolicy.CallSecretStoreAsync(h.Context, () =>
        {
            otherCalls++;
            return Task.FromResult(OperationResult.Conflict("A secret with this key exists."));
        }));
        await StepRetryPolicy.CallSecretStoreAsync(h.Context, () => Task.FromResult(
            recovering++ == 0 ? OperationResult.Conflict("The secret was changed by someone else.") : OperationResult.Success()));

        Assert.Equal(3, raceCalls);
        Assert.Equal("The secret was changed by someone else.", race.Message);
        Assert.Equal(1, otherCalls);
        Assert.Equal(2, recovering);
    }
}
