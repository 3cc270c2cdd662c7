using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using RotationDashboard.Auth0;

namespace RotationDashboard.Web.Services.Connections;

/// <summary>
/// A short-lived, per-connection cache of a tenant's application list. Callers that arrive while a fetch runs share
/// it (a Free tenant's 2 requests a second are precious); failures are not cached. An entry is used only while the
/// connection's settings still match the fingerprint it was fetched with.
/// </summary>
public sealed class ApplicationListCache(IOptions<ConnectionsOptions> options, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();

    public async Task<(IReadOnlyList<Auth0Client> Clients, DateTimeOffset FetchedAt)> GetAsync(
        Guid connectionId,
        string fingerprint,
        Func<Task<IReadOnlyList<Auth0Client>>> fetch,
        bool refresh,
        CancellationToken cancellationToken)
    {
        Entry entry;
        while (true)
        {
            var now = timeProvider.GetUtcNow();
            if (_entries.TryGetValue(connectionId, out var existing) && existing.Fingerprint == fingerprint && !IsStale(existing, now, refresh))
            {
                entry = existing;
                break;
            }

            var fresh = new Entry(fingerprint, now, fetch);
            if (existing is null ? _entries.TryAdd(connectionId, fresh) : _entries.TryUpdate(connectionId, fresh, existing))
            {
                entry = fresh;
                break;
            }
        }

        try
        {
            // The fetch is shared, so it runs without any one caller's token; each caller can still stop waiting.
            return (await entry.Clients.Value.WaitAsync(cancellationToken), entry.FetchedAt);
        }
        catch (Exception) when (entry.Clients.Value.IsFaulted || entry.Clients.Value.IsCanceled)
        {
            _entries.TryRemove(new KeyValuePair<Guid, Entry>(connectionId, entry));
            throw;
        }
    }

    public void Invalidate(Guid connectionId) => _entries.TryRemove(connectionId, out _);

    // A running fetch is joined even on refresh: it started just now.
    private bool IsStale(Entry entry, DateTimeOffset now, bool refresh) =>
        entry.Clients.IsValueCreated && entry.Clients.Value.IsCompleted &&
        (refresh || !entry.Clients.Value.IsCompletedSuccessfully || now - entry.FetchedAt >= options.Value.ApplicationListCacheDuration);

    private sealed class Entry(string fingerprint, DateTimeOffset fetchedAt, Func<Task<IReadOnlyList<Auth0Client>>> fetch)
    {
        public string Fingerprint { get; } = fingerprint;

        public DateTimeOffset FetchedAt { get; } = fetchedAt;

        public Lazy<Task<IReadOnlyList<Auth0Client>>> Clients { get; } = new(() => Task.Run(fetch));
    }
}
