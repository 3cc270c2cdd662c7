using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Components.Rotations.Wizard;

/// <summary>
/// Follows the first issuance while Create waits for it: finds the new rotation among the Created events (by its
/// name and location, as Create does not return before the run ends), then reads its run's steps. The one place that
/// knows how the wizard learns which run to show.
/// </summary>
public sealed class FirstIssuanceFollower(RotationService rotations, RotationWizardModel model)
{
    private Guid? _rotationId;

    /// <summary>The run to show after these events, or null when they say nothing new about ours.</summary>
    public async Task<RunView?> OnEventsAsync(IReadOnlyList<RotationEvent> events, RunView? shown)
    {
        if (_rotationId is null)
        {
            foreach (var created in events.OfType<RotationChangedEvent>().Where(e => e.Kind == RotationChangeKind.Created))
            {
                var rotation = await rotations.GetAsync(created.RotationId);
                if (rotation is not null && rotation.Name == model.Name?.Trim() && rotation.ProjectId == model.ProjectId
                    && rotation.Environment.Slug == model.EnvironmentSlug && rotation.Folder.Path == model.SecretPath)
                {
                    _rotationId = rotation.Id;
                    break;
                }
            }
        }

        if (_rotationId is not { } id || !events.Any(e => e.RotationId == id || e is RotationChangedEvent))
        {
            return null;
        }

        var current = await rotations.GetAsync(id);
        var runId = current?.ActiveRun?.Id ?? current?.LastRotationJobId;
        return current?.ActiveRun ?? (runId is { } r ? await rotations.GetRunAsync(r) : shown);
    }
}
