using System.Diagnostics;
using RotationDashboard.Client;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Tests.Rotations;

/// <summary>
/// A consumer service during a rotation: it re-reads CURRENT and NEXT from the dashboard's store every
/// <c>refresh</c> (as the client library's dashboard source does, minus HTTP) and asks Auth0 for a token every few
/// milliseconds with the client library, which falls back from CURRENT to NEXT on a 401. It never re-reads on a
/// rejection, so it only succeeds with what it already held.
/// </summary>
public sealed class ConsumerLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<string> _failures = [];

    public ConsumerLoop(EngineTestHost host, RotationView rotation, TimeSpan? refresh = null, ClientSecretAuthentication method = ClientSecretAuthentication.ClientSecretPost)
    {
        var source = new StoreSource(host, rotation, refresh ?? TimeSpan.FromMilliseconds(100));
        var tokens = host.TokenClient(source, method);
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await tokens.GetTokenAsync(_stop.Token);
                    Interlocked.Increment(ref _successes);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception)
                {
                    lock (_failures)
                    {
                        _failures.Add(exception.Message);
                    }
                }

                await Task.Delay(10);
            }
        });
    }

    private int _successes;

    public int Successes => Volatile.Read(ref _successes);

    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_failures)
            {
                return _failures.ToList();
            }
        }
    }

    /// <summary>Waits until the loop has made some successful requests (it read the store and Auth0 answered).</summary>
    public async Task WarmUpAsync()
    {
        var watch = Stopwatch.StartNew();
        while (Successes < 3 && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10);
        }

        Assert.True(Successes >= 3, "The consumer could not authenticate before the rotation: " + string.Join("; ", Failures));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private sealed class StoreSource(EngineTestHost host, RotationView rotation, TimeSpan refresh) : ICredentialSource
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private Auth0CredentialSet? _held;
        private Auth0Credential? _promoted;
        private DateTimeOffset _readAt;

        public async ValueTask<Auth0CredentialSet> GetCredentialsAsync(CancellationToken cancellationToken = default)
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                if (_held is null || DateTimeOffset.UtcNow - _readAt > refresh)
                {
                    var read = await host.ConsumerCredentialsAsync(rotation) ?? throw new InvalidOperationException("No credential in the store.");
                    _readAt = DateTimeOffset.UtcNow;
                    // A consumer that promoted NEXT keeps using it even if the store still says otherwise for a moment.
                    _held = _promoted is not null && !read.Current.Equals(_promoted) && Equals(read.Next, _promoted)
                        ? new Auth0CredentialSet(_promoted, read.Current)
                        : read;
                }

                return _held;
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>No re-read on a rejection: the consumer must succeed with what it already held.</summary>
        public ValueTask<Auth0CredentialSet> RefreshAsync(CancellationToken cancellationToken = default) =>
            _held is { } held ? ValueTask.FromResult(held) : GetCredentialsAsync(cancellationToken);

        public bool Promote(Auth0Credential credential)
        {
            _gate.Wait();
            try
            {
                if (_held?.Next is { } next && next.Equals(credential))
                {
                    _promoted = credential;
                    _held = new Auth0CredentialSet(credential);
                    return true;
                }

                return false;
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
