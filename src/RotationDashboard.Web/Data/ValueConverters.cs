using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Security;

namespace RotationDashboard.Web.Data;

/// <summary>
/// Timestamps are stored as UTC ticks (INTEGER): SQLite compares and orders them natively, with full precision.
/// The offset is not kept; values read back are UTC.
/// </summary>
public sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
    value => value.UtcTicks,
    ticks => new DateTimeOffset(ticks, TimeSpan.Zero));

/// <summary>Durations are stored as whole seconds (INTEGER).</summary>
public sealed class WholeSecondsConverter() : ValueConverter<TimeSpan, long>(
    value => value.Ticks / TimeSpan.TicksPerSecond,
    seconds => TimeSpan.FromSeconds(seconds));

/// <summary>Rotation types are stored as their API slug (<c>auth0-client-secret</c>).</summary>
public sealed class RotationTypeConverter() : ValueConverter<RotationType, string>(
    value => RotationSlugs.ToSlug(value),
    slug => RotationSlugs.ParseType(slug));

/// <summary>Rotation statuses are stored as their API value (<c>success</c>, <c>failed</c>).</summary>
public sealed class RotationStatusConverter() : ValueConverter<RotationStatus, string>(
    value => RotationSlugs.ToSlug(value),
    slug => RotationSlugs.ParseStatus(slug));

/// <summary>API token scopes are stored as a JSON array (TEXT).</summary>
public sealed class ApiTokenScopesConverter() : ValueConverter<IReadOnlyList<ApiTokenScope>, string>(
    scopes => Serialize(scopes),
    json => Deserialize(json))
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static ValueComparer<IReadOnlyList<ApiTokenScope>> Comparer { get; } = new(
        (left, right) => left != null && right != null ? left.SequenceEqual(right) : left == right,
        scopes => scopes.Aggregate(0, (hash, scope) => HashCode.Combine(hash, scope.GetHashCode())),
        scopes => scopes.ToList());

    private static string Serialize(IReadOnlyList<ApiTokenScope> scopes) => JsonSerializer.Serialize(scopes, Json);

    private static IReadOnlyList<ApiTokenScope> Deserialize(string json) =>
        JsonSerializer.Deserialize<List<ApiTokenScope>>(json, Json) ?? [];
}
