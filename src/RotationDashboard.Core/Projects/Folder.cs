namespace RotationDashboard.Core.Projects;

/// <summary>A folder of an environment, identified by its normalised path (see <see cref="FolderPath"/>).</summary>
public sealed class Folder
{
    private Folder()
    {
        Path = FolderPath.Root;
    }

    public Guid Id { get; private set; }

    public Guid EnvironmentId { get; private set; }

    /// <summary>Normalised: <c>/</c> or <c>/payments</c>.</summary>
    public string Path { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public bool IsRoot => Path == FolderPath.Root;

    /// <summary>The last path segment (<c>/</c> for the root).</summary>
    public string Name => IsRoot ? FolderPath.Root : Path[(Path.LastIndexOf('/') + 1)..];

    /// <exception cref="Common.DomainValidationException">The path is invalid (field <c>path</c>).</exception>
    public static Folder Create(Guid environmentId, string path, DateTimeOffset now, Guid? id = null) =>
        new()
        {
            Id = id ?? Guid.NewGuid(),
            EnvironmentId = environmentId,
            Path = FolderPath.Normalize(path),
            CreatedAt = now.ToUniversalTime(),
        };

    public static Folder CreateRoot(Guid environmentId, DateTimeOffset now) => Create(environmentId, FolderPath.Root, now);
}
