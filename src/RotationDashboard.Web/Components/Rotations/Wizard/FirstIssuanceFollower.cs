using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Web.Application.Rotations;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Components.Rotations.Wizard;

/// <summary>
/// Follows the first issuance of a rotation Create has just started: it reads that run by the id Create returned,
/// whenever an event about the new rotation arrives. The one place that knows how the wizard learns which run to show.
/// </summary>
public sealed class FirstIssuanceFollower(IRotationWizardBackend rotations, RotationCreation creation)
{
    /// <summary>Whether <paramref name="rotationEvent"/> is about the new rotation (and so maybe its run).</summary>
    public bool Concerns(RotationEvent rotationEvent) => rotationEvent.RotationId == creation.RotationId;

    /// <summary>The run as it is now, or <paramref name="shown"/> when the run did not start or cannot be read.</summary>
    public async Task<RunView?> ReadAsync(RunView? shown) =>
        creation.RunId is { } runId ? await rotations.GetRunAsync(runId) ?? shown : shown;
}
