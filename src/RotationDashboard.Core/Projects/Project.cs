using RotationDashboard.Core.Common;

namespace RotationDashboard.Core.Projects;

/// <summary>A group of environments (dev, staging, prod) whose folders hold secrets.</summary>
public sealed class Project
{
    public const string DefaultSlug = "default";
    public const string DefaultName = "Default project";
    public const int MaxNameLength = 128;

    private Project()
    {
        Name = string.Empty;
        Slug = string.Empty;
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; }

    public string Slug { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public static ValidationErrors Validate(string? name, string? slug)
    {
        var errors = new ValidationErrors();
        var trimmedName = name?.Trim() ?? string.Empty;
        if (trimmedName.Length == 0)
        {
            errors.Add("name", "Name is required.");
        }
        else if (trimmedName.Length > MaxNameLength)
        {
            errors.Add("name", $"Name must be at most {MaxNameLength} characters.");
        }

        Common.Slug.Validate(slug, "slug", "Slug", errors);
        return errors;
    }

    /// <exception cref="DomainValidationException">Name or slug is invalid.</exception>
    public static Project Create(string name, string slug, DateTimeOffset now, Guid? id = null)
    {
        Validate(name, slug).ThrowIfAny();
        return new Project
        {
            Id = id ?? Guid.NewGuid(),
            Name = name.Trim(),
            Slug = slug.Trim(),
            CreatedAt = now.ToUniversalTime(),
        };
    }
}
