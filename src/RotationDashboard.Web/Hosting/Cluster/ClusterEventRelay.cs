using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Hosting.Cluster;

/// <summary>
/// PostgreSQL only: carries what one instance learns in memory to the others, through the <c>cluster_events</c>
/// table (migration 0012). Published: every secret cache invalidation (coalesced into one row) and every
/// <see cref="RotationEvent"/> of this instance's runs and rotation changes. Received, by polling every
/// <see cref="StorageOptions.ClusterPollInterval"/>: a cache invalidation drops this instance's cached secret reads;
/// a rotation event is published on this instance's notifier (the live UI of its circuits) and lets a run waiting
/// here in its lead time reconsider an edit made elsewhere.
/// </summary>
/// <remarks>
/// Polling rather than LISTEN/NOTIFY: a NOTIFY sent while a listener's connection is down is lost for good, so a
/// listener needs this table and a catch-up read anyway; polling one indexed table is that catch-up, needs no
/// dedicated long-lived connection per instance, works through transaction-pooling proxies (PgBouncer), and its
/// delay is a number to state. Identity values can become visible out of order (two writers commit in the other
/// order), so ids skipped below the highest one seen are asked for again for <see cref="GapRetention"/>.
/// </remarks>
public sealed partial class ClusterEventRelay : BackgroundService
{
    public const string SecretsKind = "secrets";
    public static readonly TimeSpan GapRetention = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(10);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly Dictionary<string, Type> EventTypes = new[]
    {
        typeof(RunStartedEvent), typeof(RunStepChangedEvent), typeof(RunWaitingEvent), typeof(RunFinishedEvent), typeof(RotationChangedEvent),
    }.ToDictionary(t => t.Name);

    private readonly DatabaseLocation _location;
    private readonly SecretValueCache _cache;
    private readonly IRotationRunNotifier _notifier;
    private readonly IServiceProvider _services;
    private readonly TimeSpan _pollInterval;
    private readonly TimeProvider _time;
    private readonly ILogger<ClusterEventRelay> _logger;
    private readonly Channel<(string Kind, string Payload)> _outbox = Channel.CreateUnbounded<(string, string)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, DateTimeOffset> _gaps = new();
    private readonly AsyncLocal<bool> _relaying = new();
    private int _secretsPending;
    private long _cursor = -1;
    private IDisposable? _subscription;

    public ClusterEventRelay(
        DatabaseLocation location,
        SecretValueCache cache,
        IRotationRunNotifier notifier,
        IServiceProvider services,
        IOptions<StorageOptions> storage,
        TimeProvider timeProvider,
        ILogger<ClusterEventRelay> logger)
    {
        _location = location;
        _cache = cache;
        _notifier = notifier;
        _services = services;
        _pollInterval = storage.Value.ClusterPollInterval;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>This instance's name in <c>cluster_events.instance</c> (its own rows are not read back).</summary>
    public string InstanceName { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Rows this instance received from others (for tests and diagnostics).</summary>
    public long Received { get; private set; }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _cache.Invalidated += OnCacheInvalidated;
        _subscription = _notifier.Subscribe(OnRotationEvent);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _cache.Invalidated -= OnCacheInvalidated;
        _subscription?.Dispose();
        _outbox.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var writer = Task.Run(() => WriteLoopAsync(stoppingToken), stoppingToken);
        var lastPrune = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PollAsync(stoppingToken);
                if (_time.GetUtcNow() - lastPrune > TimeSpan.FromMinutes(1))
                {
                    await PruneAsync(stoppingToken);
                    lastPrune = _time.GetUtcNow();
                }
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                LogPollFailed(_logger, exception);
            }

            try
            {
                await Task.Delay(_pollInterval, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        try
        {
            await writer;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void OnCacheInvalidated()
    {
        if (_relaying.Value)
        {
            return;
        }

        // Coalesced: many invalidations in a burst become one row.
        if (Interlocked.Exchange(ref _secretsPending, 1) == 0)
        {
            _outbox.Writer.TryWrite((SecretsKind, "{}"));
        }
    }

    private void OnRotationEvent(RotationEvent rotationEvent)
    {
        if (_relaying.Value || !EventTypes.ContainsKey(rotationEvent.GetType().Name))
        {
            return;
        }

        _outbox.Writer.TryWrite((rotationEvent.GetType().Name, JsonSerializer.Serialize(rotationEvent, rotationEvent.GetType(), Json)));
    }

    private async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(string Kind, string Payload)>();
        while (await _outbox.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            while (batch.Count < 500 && _outbox.Reader.TryRead(out var item))
            {
                if (item.Kind == SecretsKind)
                {
                    Interlocked.Exchange(ref _secretsPending, 0);
                }

                batch.Add(item);
            }

            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await InsertAsync(batch, stoppingToken);
                    break;
                }
                catch (NpgsqlException exception) when (attempt < 5)
                {
                    LogPublishFailed(_logger, exception, batch.Count);
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * (attempt + 1)), _time, stoppingToken);
                }
                catch (NpgsqlException exception)
                {
                    // Other instances then see the change late: their cached reads expire (SecretValueCache.TimeToLive)
                    // and their pages refresh on the next event or reload.
                    LogPublishFailed(_logger, exception, batch.Count);
                    break;
                }
            }
        }
    }

    private async Task InsertAsync(List<(string Kind, string Payload)> batch, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(_location.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            INSERT INTO cluster_events (instance, kind, payload, created_at)
            SELECT @instance, k, p, @now FROM unnest(@kinds, @payloads) AS t(k, p);
            """, connection);
        command.Parameters.AddWithValue("instance", InstanceName);
        command.Parameters.AddWithValue("now", _time.GetUtcNow().UtcTicks);
        command.Parameters.AddWithValue("kinds", batch.Select(b => b.Kind).ToArray());
        command.Parameters.AddWithValue("payloads", batch.Select(b => b.Payload).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Reads the rows other instances wrote since the last poll (and any id skipped meanwhile) and applies them.</summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(_location.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        if (_cursor < 0)
        {
            await using var start = new NpgsqlCommand("SELECT COALESCE(MAX(id), 0) FROM cluster_events;", connection);
            _cursor = (long)(await start.ExecuteScalarAsync(cancellationToken))!;
            return;
        }

        var now = _time.GetUtcNow();
        foreach (var (id, since) in _gaps)
        {
            if (now - since > GapRetention)
            {
                _gaps.TryRemove(id, out _);
            }
        }

        var rows = new List<(long Id, string Instance, string Kind, string Payload)>();
        await using (var read = new NpgsqlCommand(
                         "SELECT id, instance, kind, payload FROM cluster_events WHERE id > @cursor OR id = ANY(@gaps) ORDER BY id LIMIT 5000;", connection))
        {
            read.Parameters.AddWithValue("cursor", _cursor);
            read.Parameters.AddWithValue("gaps", _gaps.Keys.ToArray());
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            }
        }

        var invalidate = false;
        foreach (var row in rows)
        {
            if (row.Id > _cursor)
            {
                for (var missing = _cursor + 1; missing < row.Id && row.Id - missing < 1000; missing++)
                {
                    _gaps.TryAdd(missing, now);
                }

                _cursor = row.Id;
            }
            else
            {
                _gaps.TryRemove(row.Id, out _);
            }

            if (row.Instance == InstanceName)
            {
                continue;
            }

            Received++;
            if (row.Kind == SecretsKind)
            {
                invalidate = true;
            }
            else if (EventTypes.TryGetValue(row.Kind, out var type)
                     && JsonSerializer.Deserialize(row.Payload, type, Json) is RotationEvent rotationEvent)
            {
                Relay(rotationEvent);
            }
        }

        if (invalidate)
        {
            _cache.InvalidateLocally();
        }
    }

    private void Relay(RotationEvent rotationEvent)
    {
        _relaying.Value = true;
        try
        {
            if (rotationEvent is RotationChangedEvent { Kind: not RotationChangeKind.Deleted } changed)
            {
                _services.GetService<RotationEngine>()?.ReconsiderWaitingRun(changed.RotationId);
            }

            _notifier.Publish(rotationEvent);
        }
        finally
        {
            _relaying.Value = false;
        }
    }

    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(_location.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var prune = new NpgsqlCommand("DELETE FROM cluster_events WHERE created_at < @before;", connection);
        prune.Parameters.AddWithValue("before", (_time.GetUtcNow() - Retention).UtcTicks);
        await prune.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading other instances' events failed; trying again")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {Count} event(s) to the other instances failed")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, int count);
}
