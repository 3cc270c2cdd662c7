using RotationDashboard.Core.Common;

namespace RotationDashboard.Core.Projects;

/// <summary>An environment of a project, addressed by slug (<c>dev</c>, <c>staging</c>, <c>prod</c>) in the API.</summary>
public sealed class ProjectEnvironment
{
    public const int MaxNameLength = 64;

    /// <summary>The environments every new project gets, in display order.</summary>
    public static IReadOnlyList<(string Slug, string Name)> Defaults { get; } =
    [
        ("dev", "Development"),
        ("staging", "Staging"),
        ("prod", "Production"),
    ];

    private ProjectEnvironment()
    {
        Slug = string.Empty;
        Name = string.Empty;
    }

    public Guid Id { get; private set; }

    public Guid ProjectId { get; private set; }

    public string Slug { get; private set; }

    public string Name { get; private set; }

    /// <summary>Display order, ascending.</summary>
    public int Position { get; private set; }

    public static ProjectEnvironment Create(Guid projectId, string slug, string name, int position, Guid? id = null)
    {
        var errors = new ValidationErrors();
        Common.Slug.Validate(slug, "slug", "Slug", errors);
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add("name", "Name is required.");
        }
        else if (name.Trim().Length > MaxNameLength)
        {
            errors.Add("name", $"Name must be at most {MaxNameLength} characters.");
        }

        errors.ThrowIfAny();
        return new ProjectEnvironment
        {
            Id = id ?? Guid.NewGuid(),
            ProjectId = projectId,
            Slug = slug.Trim(),
            Name = name.Trim(),
            Position = position,
        };
    }

    public static IReadOnlyList<ProjectEnvironment> CreateDefaults(Guid projectId) =>
        Defaults.Select((d, i) => Create(projectId, d.Slug, d.Name, i)).ToList();
}
