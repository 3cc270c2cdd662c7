using System.Text.Json;
using System.Text.Json.Serialization;
using RotationDashboard.Core.Rotations.Engine.Steps;

namespace RotationDashboard.Core.Rotations.Engine;

/// <summary>
/// The steps each strategy runs, in order (design.md, "Rotation strategies"), with the planned waits between them;
/// the other steps are skipped.
/// </summary>
public static class StrategyPlan
{
    private static readonly PlannedStep[] SinglePhase =
    [
        new(GenerateStep.Instance),
        new(ApplySecretStep.Instance),
        new(VerifyStep.Instance),
        new(PromoteStep.Instance),
    ];

    // Consumers get NEXT, then the lead time to pick it up, before Auth0 switches.
    private static readonly PlannedStep[] Staged =
    [
        new(GenerateStep.Instance),
        new(PublishStep.Instance),
        new(ApplySecretStep.Instance, WaitBefore: LeadTimeWait.Instance),
        new(VerifyStep.Instance),
        new(PromoteStep.Instance),
    ];

    // Both keys work side by side until the grace period after Promote ends.
    private static readonly PlannedStep[] PrivateKeyJwt =
    [
        new(GenerateStep.Instance),
        new(PublishStep.Instance),
        new(ApplyKeyStep.Instance),
        new(VerifyStep.Instance),
        new(PromoteStep.Instance),
        new(RetireStep.Instance, WaitBefore: GracePeriodWait.Instance),
    ];

    private static readonly RunStepName[] SinglePhaseNames = SinglePhase.Select(s => s.Name).ToArray();
    private static readonly RunStepName[] StagedNames = Staged.Select(s => s.Name).ToArray();
    private static readonly RunStepName[] PrivateKeyJwtNames = PrivateKeyJwt.Select(s => s.Name).ToArray();

    /// <summary>The step objects of the strategy, in the order the runner executes them.</summary>
    internal static IReadOnlyList<PlannedStep> For(RotationStrategy strategy) => strategy switch
    {
        RotationStrategy.SinglePhase => SinglePhase,
        RotationStrategy.Staged => Staged,
        RotationStrategy.PrivateKeyJwt => PrivateKeyJwt,
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, null),
    };

    public static IReadOnlyList<RunStepName> StepsFor(RotationStrategy strategy) => strategy switch
    {
        RotationStrategy.SinglePhase => SinglePhaseNames,
        RotationStrategy.Staged => StagedNames,
        RotationStrategy.PrivateKeyJwt => PrivateKeyJwtNames,
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, null),
    };

    public static bool Includes(RotationStrategy strategy, RunStepName step) => StepsFor(strategy).Contains(step);

    /// <summary>Client-secret strategies: Auth0 keeps one secret, so a replaced one stops working at once.</summary>
    public static bool RotatesClientSecret(RotationStrategy strategy) => strategy is RotationStrategy.SinglePhase or RotationStrategy.Staged;

    public static string Label(RotationStrategy strategy) => strategy switch
    {
        RotationStrategy.SinglePhase => "single-phase",
        RotationStrategy.Staged => "staged",
        RotationStrategy.PrivateKeyJwt => "Private Key JWT",
        _ => strategy.ToString(),
    };
}

/// <summary>What the caller of a run may allow beyond the defaults.</summary>
public sealed record RunStartOptions
{
    public static RunStartOptions Default { get; } = new();

    /// <summary>
    /// Private Key JWT only: the application authenticates with a client secret today and may be switched to
    /// Private Key JWT (its secret stops working for consumers). Only a create with explicit consent sets this; the
    /// consent stands for later runs until the first issuance succeeds.
    /// </summary>
    public bool AllowAuthMethodSwitch { get; init; }
}

/// <summary>Non-secret facts a run keeps in <see cref="RotationRun.Checkpoint"/> so a resume or rollback can rely on them.</summary>
internal sealed record RunCheckpoint
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public bool AllowAuthMethodSwitch { get; init; }

    /// <summary>How the application authenticated before this run first touched it.</summary>
    public ApplicationAuthMethod? AuthMethodBeforeApply { get; init; }

    /// <summary>Private Key JWT credentials attached before this run first touched the application.</summary>
    public IReadOnlyList<string>? AttachedBeforeApply { get; init; }

    /// <summary>
    /// Apply sent (or was about to send) a change to the provider: false once it has read the application, true just
    /// before its first change. Null when Apply has not looked yet, or in a checkpoint written without it.
    /// </summary>
    public bool? AuthorityChanged { get; init; }

    public static RunCheckpoint Read(RotationRun run) =>
        string.IsNullOrEmpty(run.Checkpoint) ? new RunCheckpoint() : JsonSerializer.Deserialize<RunCheckpoint>(run.Checkpoint, Json) ?? new RunCheckpoint();

    public void WriteTo(RotationRun run) => run.SetCheckpoint(JsonSerializer.Serialize(this, Json));
}
