namespace RotationDashboard.Core.Rotations;

/// <summary>Everything a user chooses when creating a rotation (the wizard / <c>POST</c> body, resolved to ids).</summary>
public sealed record RotationSettings
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    public RotationType Type { get; init; } = RotationType.Auth0ClientSecret;

    /// <summary>Null picks the type's default (<see cref="RotationSlugs.DefaultStrategyFor"/>).</summary>
    public RotationStrategy? Strategy { get; init; }

    public Guid ConnectionId { get; init; }

    public Guid ProjectId { get; init; }

    public Guid EnvironmentId { get; init; }

    public Guid FolderId { get; init; }

    public required RotationParameters Parameters { get; init; }

    public required SecretsMapping SecretsMapping { get; init; }

    public bool IsAutoRotationEnabled { get; init; } = true;

    /// <summary>Days between rotations, 1-365.</summary>
    public int RotationInterval { get; init; } = 30;

    public RotateAtUtc RotateAtUtc { get; init; } = RotateAtUtc.Midnight;

    /// <summary>Staged strategy: how long NEXT is published before Auth0 switches.</summary>
    public TimeSpan? StagedLeadTime { get; init; }

    /// <summary>Private Key JWT strategy: how long the old key stays valid after promotion.</summary>
    public TimeSpan? RetireGracePeriod { get; init; }

    /// <summary>Private Key JWT strategy: register each new key in Auth0 as a self-signed X.509 certificate (which expires).</summary>
    public bool UseSelfSignedCertificate { get; init; }
}

/// <summary>A partial update (<c>PATCH</c>): null leaves a field unchanged; an empty description clears it.</summary>
public sealed record RotationChanges
{
    public string? Name { get; init; }

    public string? Description { get; init; }

    public RotationStrategy? Strategy { get; init; }

    public RotationParameters? Parameters { get; init; }

    public SecretsMapping? SecretsMapping { get; init; }

    public bool? IsAutoRotationEnabled { get; init; }

    public int? RotationInterval { get; init; }

    public RotateAtUtc? RotateAtUtc { get; init; }

    public TimeSpan? StagedLeadTime { get; init; }

    public TimeSpan? RetireGracePeriod { get; init; }

    public bool? UseSelfSignedCertificate { get; init; }
}
