using System.Collections.Concurrent;

namespace RotationDashboard.Web.Services.Secrets;

/// <summary>
/// A small in-memory cache of decrypted consumer reads, keyed by (project, environment, path, key).
/// Every write to secrets, versions or folders calls <see cref="InvalidateAll"/> (through
/// <see cref="SecretCacheInvalidationInterceptor"/>), which bumps a generation number: entries and in-flight
/// reads from an older generation are never served, so a read racing a write cannot cache a stale value.
/// Entries also expire after <see cref="TimeToLive"/> so decrypted values do not linger in memory. A consumer that
/// reads several values at once gets them from one generation (<see cref="TryGetAll"/>) or from the database.
/// </summary>
public sealed class SecretValueCache(TimeProvider timeProvider)
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(5);
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<MappedSecretLocation, Entry<MappedSecret>> _entries = new();
    private readonly ConcurrentDictionary<MappedSecretLocation, Entry<CredentialSetSnapshot>> _credentialSets = new();
    private long _generation;

    /// <summary>Capture before reading the database; pass to <see cref="Store"/>.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public int Count => _entries.Count + _credentialSets.Count;

    public bool TryGet(MappedSecretLocation location, out MappedSecret? value) => TryGetCurrent(_entries, location, out value);

    /// <summary>
    /// All of <paramref name="locations"/> from one generation, which was still current after the lookup (a write
    /// between two lookups would otherwise pair an old value with a new one); false when any is missing.
    /// </summary>
    public bool TryGetAll(IReadOnlyList<MappedSecretLocation> locations, out MappedSecret[] values)
    {
        var generation = Generation;
        var now = timeProvider.GetUtcNow();
        values = new MappedSecret[locations.Count];
        for (var i = 0; i < locations.Count; i++)
        {
            if (!_entries.TryGetValue(locations[i], out var entry) || entry.Generation != generation || entry.ExpiresAt <= now)
            {
                values = [];
                return false;
            }

            values[i] = entry.Value;
        }

        if (Generation == generation)
        {
            return true;
        }

        values = [];
        return false;
    }

    /// <summary>A rotation's credential set read through <paramref name="location"/> (any of its mapped keys).</summary>
    public bool TryGetCredentialSet(MappedSecretLocation location, out CredentialSetSnapshot? value) =>
        TryGetCurrent(_credentialSets, location, out value);

    /// <summary>Caches a credential set read (in one transaction) while <paramref name="generationAtRead"/> was current.</summary>
    public void StoreCredentialSet(MappedSecretLocation location, CredentialSetSnapshot value, long generationAtRead) =>
        StoreIfCurrent(_credentialSets, location, value, generationAtRead);

    /// <summary>Caches a value read while <paramref name="generationAtRead"/> was current; ignored if a write happened since.</summary>
    public void Store(MappedSecretLocation location, MappedSecret value, long generationAtRead) =>
        StoreIfCurrent(_entries, location, value, generationAtRead);

    /// <summary>
    /// Raised by <see cref="InvalidateAll"/> (a write on this instance), not by <see cref="InvalidateLocally"/>: with
    /// PostgreSQL the cluster relay tells the other instances, whose caches then drop their entries too.
    /// </summary>
    public event Action? Invalidated;

    public void InvalidateAll()
    {
        InvalidateLocally();
        Invalidated?.Invoke();
    }

    /// <summary>Drops every entry because another instance wrote (nothing is raised).</summary>
    public void InvalidateLocally()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
        _credentialSets.Clear();
    }

    private bool TryGetCurrent<T>(ConcurrentDictionary<MappedSecretLocation, Entry<T>> entries, MappedSecretLocation location, out T? value)
        where T : class
    {
        if (entries.TryGetValue(location, out var entry)
            && entry.Generation == Generation
            && entry.ExpiresAt > timeProvider.GetUtcNow())
        {
            value = entry.Value;
            return true;
        }

        value = null;
        return false;
    }

    private void StoreIfCurrent<T>(ConcurrentDictionary<MappedSecretLocation, Entry<T>> entries, MappedSecretLocation location, T value, long generationAtRead)
    {
        if (generationAtRead != Generation)
        {
            return;
        }

        if (entries.Count >= MaxEntries)
        {
            entries.Clear();
        }

        entries[location] = new Entry<T>(value, generationAtRead, timeProvider.GetUtcNow() + TimeToLive);
    }

    private sealed record Entry<T>(T Value, long Generation, DateTimeOffset ExpiresAt);
}

/// <summary>Where a consumer reads a secret: project, environment slug, normalised path, key.</summary>
public readonly record struct MappedSecretLocation(Guid ProjectId, string EnvironmentSlug, string Path, string Key);
