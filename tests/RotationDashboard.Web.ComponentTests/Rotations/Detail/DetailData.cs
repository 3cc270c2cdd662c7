using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.ComponentTests.Rotations.Detail;

/// <summary>Rotation, run and credential views as the use cases return them, with the fields a test varies.</summary>
public static class DetailData
{
    public static readonly DateTimeOffset Now = new(2026, 3, 10, 10, 0, 0, TimeSpan.Zero);

    public static RotationView Rotation(
        string name = "orders-api",
        RotationStrategy strategy = RotationStrategy.Staged,
        bool autoRotation = true,
        string? status = "success",
        string? message = null,
        RunView? activeRun = null,
        bool needsAttention = false,
        RotationPause? pause = null,
        Guid? id = null)
    {
        var settings = new RotationSettings
        {
            Name = name,
            Type = strategy == RotationStrategy.PrivateKeyJwt ? RotationType.Auth0PrivateKeyJwt : RotationType.Auth0ClientSecret,
            Strategy = strategy,
            Parameters = new RotationParameters("client-123"),
            SecretsMapping = strategy == RotationStrategy.PrivateKeyJwt
                ? new SecretsMapping("ORDERS_CLIENT_ID", PrivateKey: "ORDERS_PRIVATE_KEY", KeyId: "ORDERS_KEY_ID")
                : new SecretsMapping("ORDERS_CLIENT_ID", ClientSecret: "ORDERS_CLIENT_SECRET"),
            IsAutoRotationEnabled = autoRotation,
            RotationInterval = 30,
            RotateAtUtc = new RotateAtUtc(2, 30),
        };
        return new RotationView(
            id ?? Guid.NewGuid(), settings, 0, Now.AddDays(-40), Now.AddDays(-1), status, Now.AddDays(-1), Now.AddDays(-1), null,
            autoRotation ? Now.AddDays(29) : null,
            new RotationConnectionRef("auth0", "Sandbox tenant", Guid.NewGuid()),
            new RotationEnvironmentRef("prod", "Production", Guid.NewGuid()),
            new RotationFolderRef(Guid.NewGuid(), "/"),
            message, false, "Orders API", 1, activeRun is { IsFinished: false }, activeRun, needsAttention, pause);
    }

    public static RunView Run(Guid rotationId, RunStatus status = RunStatus.Running, int succeededSteps = 0, RotationStrategy strategy = RotationStrategy.Staged,
        Guid? id = null, TimeSpan? took = null, string? message = null, int attempt = 1)
    {
        var names = StrategyPlan.StepsFor(strategy);
        var steps = names.Select((step, index) => new RunStepView(index, step,
            index < succeededSteps ? RunStepStatus.Succeeded
            : index == succeededSteps && status == RunStatus.Running ? RunStepStatus.Running
            : index == succeededSteps && status == RunStatus.Failed ? RunStepStatus.Failed
            : status == RunStatus.Succeeded ? RunStepStatus.Succeeded : RunStepStatus.Pending,
            index <= succeededSteps ? Now.AddSeconds(index) : null,
            index < succeededSteps ? Now.AddSeconds(index + 1) : null,
            index == succeededSteps && status == RunStatus.Failed ? "Auth0 answered 503" : null)).ToList();
        return new RunView(id ?? Guid.NewGuid(), rotationId, RunTrigger.Manual, "user:ada@example.com", strategy, Now,
            status == RunStatus.Running ? null : Now + (took ?? TimeSpan.FromSeconds(6)), status, attempt, message, null, steps);
    }

    public static GeneratedCredentialsView Slots(Guid rotationId, bool revealed, bool withPrevious = true)
    {
        var current = new GeneratedCredentialSlot(0, CredentialStage.Current, true, "Valid: mapped to the secrets and in use in Auth0.", "client-123",
            revealed ? "current-secret-value" : null, null, null, null, Now.AddDays(-1), null);
        var previous = new GeneratedCredentialSlot(1, CredentialStage.Previous, false,
            "No longer valid: Auth0 keeps one client secret per application, so this one stopped working when it was replaced.", "client-123",
            revealed ? "previous-secret-value" : null, null, null, null, Now.AddDays(-31), Now.AddDays(-1));
        return new GeneratedCredentialsView(rotationId, "auth0-client-secret", 0, withPrevious ? [current, previous] : [current], null);
    }
}
