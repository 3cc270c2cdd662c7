using System.Collections.Concurrent;

namespace RotationDashboard.Web.Services.Secrets;

/// <summary>
/// A small in-memory cache of decrypted consumer reads, keyed by (project, environment, path, key).
/// Every write to secrets, versions or folders calls <see cref="InvalidateAll"/> (through
/// <see cref="SecretCacheInvalidationInterceptor"/>), which bumps a generation number: entries and in-flight
/// reads from an older generation are never served, so a read racing a write cannot cache a stale value.
/// Entries also expire after <see cref="TimeToLive"/> so decrypted values do not linger in memory.
/// </summary>
public sealed class SecretValueCache(TimeProvider timeProvider)
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(5);
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<MappedSecretLocation, Entry> _entries = new();
    private long _generation;

    /// <summary>Capture before reading the database; pass to <see cref="Store"/>.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public int Count => _entries.Count;

    public bool TryGet(MappedSecretLocation location, out MappedSecret? value)
    {
        if (_entries.TryGetValue(location, out var entry)
            && entry.Generation == Generation
            && entry.ExpiresAt > timeProvider.GetUtcNow())
        {
            value = entry.Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>Caches a value read while <paramref name="generationAtRead"/> was current; ignored if a write happened since.</summary>
    public void Store(MappedSecretLocation location, MappedSecret value, long generationAtRead)
    {
        if (generationAtRead != Generation)
        {
            return;
        }

        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[location] = new Entry(value, generationAtRead, timeProvider.GetUtcNow() + TimeToLive);
    }

    public void InvalidateAll()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    private sealed record Entry(MappedSecret Value, long Generation, DateTimeOffset ExpiresAt);
}

/// <summary>Where a consumer reads a secret: project, environment slug, normalised path, key.</summary>
public readonly record struct MappedSecretLocation(Guid ProjectId, string EnvironmentSlug, string Path, string Key);
