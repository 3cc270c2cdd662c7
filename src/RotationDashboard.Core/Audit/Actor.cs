namespace RotationDashboard.Core.Audit;

public enum ActorType
{
    /// <summary>A person signed in to the dashboard.</summary>
    User,

    /// <summary>An API token.</summary>
    Token,

    /// <summary>The rotation scheduler.</summary>
    Scheduler,

    /// <summary>The application itself (start-up, recovery, seeding).</summary>
    System,
}

/// <summary>
/// Who did something: recorded in audit events and as the writer of secret versions.
/// Its string form is <c>type:name</c>, e.g. <c>user:ada@example.com</c> or <c>token:ci-deploy</c>.
/// </summary>
public sealed record Actor
{
    public const int MaxNameLength = 256;

    public Actor(ActorType type, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Type = type;
        Name = name.Trim().Length > MaxNameLength ? name.Trim()[..MaxNameLength] : name.Trim();
    }

    public ActorType Type { get; }

    public string Name { get; }

    public static Actor User(string name) => new(ActorType.User, name);

    public static Actor Token(string name) => new(ActorType.Token, name);

    public static Actor Scheduler { get; } = new(ActorType.Scheduler, "scheduler");

    public static Actor System { get; } = new(ActorType.System, "system");

    public override string ToString() => $"{Type.ToString().ToLowerInvariant()}:{Name}";
}
