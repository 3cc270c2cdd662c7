using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Rotations.Engine.Steps;
using Microsoft.Extensions.Logging.Abstractions;

namespace RotationDashboard.Core.Tests.Rotations.Engine.Steps;

/// <summary>
/// Runs single step objects against the engine fakes, outside the runner: a run of the fixture's rotation under a
/// lease, and a <see cref="RunContext"/> over it. <see cref="ExecuteAsync"/> records the step as the runner does.
/// </summary>
internal sealed class StepHarness : IAsyncDisposable
{
    private const string Holder = "step-tests";

    private StepHarness(EngineFixture fixture, RotationRun run)
    {
        F = fixture;
        Run = run;
        Context = NewContext();
    }

    public EngineFixture F { get; }

    public RotationRun Run { get; }

    public RunContext Context { get; private set; }

    /// <summary>A new run of a fresh rotation (or of <paramref name="fixture"/>'s, after what it ran already).</summary>
    public static async Task<StepHarness> StartAsync(
        RotationStrategy strategy,
        RunTrigger trigger = RunTrigger.Manual,
        bool allowAuthMethodSwitch = false,
        EngineFixture? fixture = null)
    {
        var f = fixture ?? new EngineFixture(strategy);
        var now = f.Time.GetUtcNow();
        var run = RotationRun.Start(f.Rotation, trigger, Actor.User("ada@example.com"), now);
        foreach (var step in Enum.GetValues<RunStepName>().Where(s => !StrategyPlan.Includes(strategy, s)))
        {
            run.SkipStep(step, "Not part of the strategy.", now);
        }

        new RunCheckpoint { AllowAuthMethodSwitch = allowAuthMethodSwitch }.WriteTo(run);
        Assert.True(await f.Store.TryAcquireLeaseAsync(f.Rotation.Id, Holder, TimeSpan.FromMinutes(5), CancellationToken.None));
        await f.Store.AddRunAsync(run, Holder, CancellationToken.None);
        return new StepHarness(f, run);
    }

    /// <summary>Continues an existing unfinished run (as a resume does).</summary>
    public static async Task<StepHarness> ContinueAsync(EngineFixture f, RotationRun run)
    {
        Assert.True(await f.Store.TryAcquireLeaseAsync(f.Rotation.Id, Holder, TimeSpan.FromMinutes(5), CancellationToken.None));
        return new StepHarness(f, run);
    }

    /// <summary>A fresh context over the same run, as a resumed execution would have.</summary>
    public RunContext NewContext()
    {
        var services = new RunServices(F.Store, F.Authority, F.SecretStore, F.KeyPairs, F.Notifier, F.Calculator, F.Protector,
            Microsoft.Extensions.Options.Options.Create(F.Options), F.Time, NullLogger.Instance, new LeadTimeWakeups());
        Context = new RunContext(services, Run, F.Rotation, Holder, CancellationToken.None);
        Context.LoadPending();
        return Context;
    }

    public async Task<StepOutcome> ExecuteAsync(IRunStep step)
    {
        Run.StartStep(step.Name, F.Time.GetUtcNow());
        Context.CurrentStep = step.Name;
        var outcome = await step.ExecuteAsync(Context, CancellationToken.None);
        Run.CompleteStep(step.Name, outcome.Message, Context.Scrubber, F.Time.GetUtcNow());
        Context.Rotation = await Context.SaveAsync(outcome.RotationChange, outcome.Audit) ?? Context.Rotation;
        return outcome;
    }

    public async Task<StepFailedException> ExecuteFailingAsync(IRunStep step)
    {
        Run.StartStep(step.Name, F.Time.GetUtcNow());
        return await Assert.ThrowsAsync<StepFailedException>(() => step.ExecuteAsync(Context, CancellationToken.None));
    }

    public async Task<List<string>> UndoAsync(IRunStep step)
    {
        var actions = new List<string>();
        await step.UndoAsync(Context, actions, CancellationToken.None);
        return actions;
    }

    public ValueTask DisposeAsync() => F.DisposeAsync();
}
