using System.Reflection;
using System.Text.Json;

namespace RotationDashboard.Core.Rotations;

/// <summary>
/// Everything a user chooses for a rotation: the wizard / <c>POST</c> body (resolved to ids) when creating, and what a
/// rotation reads back as (<see cref="Rotation.Settings"/>). A new rotation field is declared here, in
/// <see cref="RotationChanges"/> and on <see cref="Rotation"/>; the application layer carries this record as a whole.
/// </summary>
public sealed record RotationSettings
{
    // Chosen at creation and fixed afterwards: not part of what an edit can change (see ChangeableValues).
    private static readonly HashSet<string> FixedAtCreation =
        [nameof(Type), nameof(ConnectionId), nameof(ProjectId), nameof(EnvironmentId), nameof(FolderId)];

    // Every other public property, in declaration order, so a new field is audited without being listed again.
    private static readonly PropertyInfo[] Changeable = typeof(RotationSettings)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => !FixedAtCreation.Contains(p.Name))
        .ToArray();

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

    /// <summary>
    /// The values an edit may change, by API field name (camelCase), for the audit's "Changed: …" line. Only the
    /// names of changed fields are written there, never values.
    /// </summary>
    public IReadOnlyDictionary<string, object?> ChangeableValues() =>
        Changeable.ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), p => p.GetValue(this), StringComparer.Ordinal);
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

    /// <summary><paramref name="current"/> with these changes applied (null members keep the current value).</summary>
    public RotationSettings ApplyTo(RotationSettings current) => current with
    {
        Name = Name ?? current.Name,
        Description = Description ?? current.Description,
        Strategy = Strategy ?? current.Strategy,
        Parameters = Parameters ?? current.Parameters,
        SecretsMapping = SecretsMapping ?? current.SecretsMapping,
        IsAutoRotationEnabled = IsAutoRotationEnabled ?? current.IsAutoRotationEnabled,
        RotationInterval = RotationInterval ?? current.RotationInterval,
        RotateAtUtc = RotateAtUtc ?? current.RotateAtUtc,
        StagedLeadTime = StagedLeadTime ?? current.StagedLeadTime,
        RetireGracePeriod = RetireGracePeriod ?? current.RetireGracePeriod,
        UseSelfSignedCertificate = UseSelfSignedCertificate ?? current.UseSelfSignedCertificate,
    };

    /// <summary>
    /// Only what differs between <paramref name="current"/> and <paramref name="edited"/> (an editor's whole form), so a
    /// concurrent change to another field is not overwritten. An emptied description becomes "" (which clears it); a
    /// timing the edited strategy does not use (null) is left alone.
    /// </summary>
    public static RotationChanges Between(RotationSettings current, RotationSettings edited) => new()
    {
        Name = edited.Name != current.Name ? edited.Name : null,
        Description = (edited.Description ?? string.Empty) != (current.Description ?? string.Empty) ? edited.Description ?? string.Empty : null,
        Strategy = edited.Strategy != current.Strategy ? edited.Strategy : null,
        Parameters = edited.Parameters != current.Parameters ? edited.Parameters : null,
        SecretsMapping = edited.SecretsMapping != current.SecretsMapping ? edited.SecretsMapping : null,
        IsAutoRotationEnabled = edited.IsAutoRotationEnabled != current.IsAutoRotationEnabled ? edited.IsAutoRotationEnabled : null,
        RotationInterval = edited.RotationInterval != current.RotationInterval ? edited.RotationInterval : null,
        RotateAtUtc = edited.RotateAtUtc != current.RotateAtUtc ? edited.RotateAtUtc : null,
        StagedLeadTime = edited.StagedLeadTime is { } lead && lead != current.StagedLeadTime ? lead : null,
        RetireGracePeriod = edited.RetireGracePeriod is { } grace && grace != current.RetireGracePeriod ? grace : null,
        UseSelfSignedCertificate = edited.UseSelfSignedCertificate != current.UseSelfSignedCertificate ? edited.UseSelfSignedCertificate : null,
    };
}
