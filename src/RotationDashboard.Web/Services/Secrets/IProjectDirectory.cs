namespace RotationDashboard.Web.Services.Secrets;

/// <summary>The projects by name, for pickers that narrow something to one project.</summary>
public interface IProjectDirectory
{
    Task<IReadOnlyList<ProjectSummary>> ListProjectsAsync(CancellationToken cancellationToken = default);
}
