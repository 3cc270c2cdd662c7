using System.Text.Json;
using System.Text.Json.Serialization;

namespace RotationDashboard.Core.Rotations.Engine;

/// <summary>The steps each strategy runs, in order (design.md, "Rotation strategies"); the others are skipped.</summary>
public static class StrategyPlan
{
    private static readonly RunStepName[] SinglePhase = [RunStepName.Generate, RunStepName.Apply, RunStepName.Verify, RunStepName.Promote];
    private static readonly RunStepName[] Staged = [RunStepName.Generate, RunStepName.Publish, RunStepName.Apply, RunStepName.Verify, RunStepName.Promote];
    private static readonly RunStepName[] PrivateKeyJwt = Enum.GetValues<RunStepName>();

    public static IReadOnlyList<RunStepName> StepsFor(RotationStrategy strategy) => strategy switch
    {
        RotationStrategy.SinglePhase => SinglePhase,
        RotationStrategy.Staged => Staged,
        RotationStrategy.PrivateKeyJwt => PrivateKeyJwt,
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
