using RotationDashboard.Testing;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using RotationDashboard.Client;
using RotationDashboard.Core.Security;
using RotationDashboard.Sandbox;

namespace RotationDashboard.Web.Tests.Api;

/// <summary>
/// The end to end: a consumer service built on the client library reads its credential from the real dashboard's
/// consumer API (<see cref="DashboardCredentialSource"/>, a token limited to its path) and asks the in-app sandbox
/// tenant for tokens (<see cref="Auth0TokenClient"/>), while rotations are triggered through the HTTP API.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
[Collection(ApiAppCollection.Name)]
public sealed class ClientLibraryEndToEndTests(ApiAppFactory app)
{
    private const string Rotations = "api/v2/secret-rotations";

    [Fact]
    public async Task Across_staged_rotations_triggered_through_the_api_a_consumer_never_fails_a_token_request()
    {
        var rotation = await CreateRotationAsync("e2e-staged", "auth0-client-secret", SandboxSeed.BillingServiceClientId, "/e2e-staged",
            """{"clientId": "BILLING_CLIENT_ID", "clientSecret": "BILLING_CLIENT_SECRET"}""", """ "strategy": "staged", "stagedLeadTimeSeconds": 1, """);
        await using var consumer = await ConsumerLoop.StartAsync(app, "/e2e-staged", DashboardSecretKeys.ClientSecret("BILLING_CLIENT_SECRET", "BILLING_CLIENT_ID"));
        await consumer.WarmUpAsync();
        var before = app.Sandbox.GetClientSecret(SandboxSeed.BillingServiceClientId);

        for (var i = 0; i < 2; i++)
        {
            await RotateAndWaitAsync("auth0-client-secret", rotation);
        }

        await consumer.KeepGoingAsync(TimeSpan.FromMilliseconds(300));
        Assert.NotEqual(before, app.Sandbox.GetClientSecret(SandboxSeed.BillingServiceClientId));
        Assert.True(consumer.Failures.Count == 0, "Token requests failed: " + string.Join(" | ", consumer.Failures.Take(5)));
        Assert.True(consumer.Successes > 20, $"Only {consumer.Successes} token requests succeeded.");
    }

    [Fact]
    public async Task Across_private_key_jwt_rotations_triggered_through_the_api_a_consumer_never_fails_a_token_request()
    {
        var rotation = await CreateRotationAsync("e2e-private-key-jwt", "auth0-private-key-jwt", SandboxSeed.LedgerSyncClientId, "/e2e-pkjwt",
            """{"clientId": "LEDGER_CLIENT_ID", "privateKey": "LEDGER_PRIVATE_KEY", "keyId": "LEDGER_KEY_ID"}""",
            """ "retireGracePeriodSeconds": 1, "useSelfSignedCertificate": true, """); // keys go to Auth0 as certificates
        await using var consumer = await ConsumerLoop.StartAsync(app, "/e2e-pkjwt", DashboardSecretKeys.PrivateKey("LEDGER_PRIVATE_KEY", "LEDGER_KEY_ID", "LEDGER_CLIENT_ID"));
        await consumer.WarmUpAsync();
        var keysBefore = app.Sandbox.GetCredentials(SandboxSeed.LedgerSyncClientId).Where(c => c.IsAttached).Select(c => c.Id).ToList();

        for (var i = 0; i < 2; i++)
        {
            await RotateAndWaitAsync("auth0-private-key-jwt", rotation);
        }

        await consumer.KeepGoingAsync(TimeSpan.FromMilliseconds(300));
        var keysAfter = app.Sandbox.GetCredentials(SandboxSeed.LedgerSyncClientId).Where(c => c.IsAttached).Select(c => c.Id).ToList();
        Assert.Empty(keysBefore.Intersect(keysAfter));
        Assert.True(consumer.Failures.Count == 0, "Token requests failed: " + string.Join(" | ", consumer.Failures.Take(5)));
        Assert.True(consumer.Successes > 20, $"Only {consumer.Successes} token requests succeeded.");
    }

    [Fact]
    public async Task After_a_single_phase_rotation_a_consumer_recovers_with_its_first_token_request()
    {
        var rotation = await CreateRotationAsync("e2e-single-phase", "auth0-client-secret", SandboxSeed.PaymentsWorkerClientId, "/e2e-single",
            """{"clientId": "PAYMENTS_CLIENT_ID", "clientSecret": "PAYMENTS_CLIENT_SECRET"}""", "");
        // No background refresh during the test: only a rejection makes the source read the dashboard again.
        await using var consumer = await ConsumerLoop.StartAsync(app, "/e2e-single",
            DashboardSecretKeys.ClientSecret("PAYMENTS_CLIENT_SECRET", "PAYMENTS_CLIENT_ID"), refresh: TimeSpan.FromMinutes(10), loop: false);
        Assert.Equal(TimeSpan.Zero, app.Sandbox.PropagationWindow);
        await consumer.Tokens.GetTokenAsync();
        var held = consumer.Source.Credentials!.Current;

        using var client = app.Client();
        var rotated = await client.PostAsync($"{Rotations}/auth0-client-secret/{rotation}/rotate-secrets", null);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);

        // Auth0 no longer accepts what the consumer holds (single-phase: no overlap); the dashboard has the new value.
        Assert.Equal(held, consumer.Source.Credentials!.Current);
        Assert.NotEqual(held.ClientSecret, app.Sandbox.GetClientSecret(SandboxSeed.PaymentsWorkerClientId));
        var token = await consumer.Tokens.GetTokenAsync();
        Assert.False(string.IsNullOrEmpty(token.AccessToken));
        Assert.Equal(app.Sandbox.GetClientSecret(SandboxSeed.PaymentsWorkerClientId), consumer.Source.Credentials!.Current.ClientSecret);
    }

    private Task<string> CreateRotationAsync(string name, string type, string clientId, string path, string mapping, string extra) =>
        ApiRotations.CreateAsync(app, name, type, clientId, path, mapping, extra);

    private Task RotateAndWaitAsync(string type, string rotationId) => ApiRotations.RotateAndWaitAsync(app, type, rotationId);

    /// <summary>A consumer service: the client library over the dashboard's consumer API, asking for a token every few ms.</summary>
    private sealed class ConsumerLoop : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<string> _failures = [];
        private readonly HttpClient _dashboardHttp;
        private readonly HttpClient _auth0Http;
        private Task _loop = Task.CompletedTask;
        private int _successes;

        private ConsumerLoop(DashboardCredentialSource source, Auth0TokenClient tokens, HttpClient dashboardHttp, HttpClient auth0Http)
        {
            Source = source;
            Tokens = tokens;
            _dashboardHttp = dashboardHttp;
            _auth0Http = auth0Http;
        }

        public DashboardCredentialSource Source { get; }

        public Auth0TokenClient Tokens { get; }

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

        public static async Task<ConsumerLoop> StartAsync(ApiAppFactory app, string path, DashboardSecretKeys keys, TimeSpan? refresh = null, bool loop = true)
        {
            var projectId = await app.ProjectIdAsync();
            var token = await app.IssueTokenAsync("consumer" + path.Replace('/', '-'), new ApiTokenScope(ApiPermissions.SecretsRead, projectId, "dev", path));
            var dashboardHttp = new HttpClient();
            var auth0Http = new HttpClient();
            var source = new DashboardCredentialSource(dashboardHttp, new DashboardCredentialSourceOptions
            {
                Url = app.Address,
                ApiToken = token,
                ProjectId = projectId.ToString(),
                Environment = "dev",
                SecretPath = path,
                RefreshInterval = refresh ?? TimeSpan.FromMilliseconds(100),
                MinRefreshInterval = TimeSpan.Zero,
            }.UseKeys(keys));
            var tokens = new Auth0TokenClient(auth0Http, source, new Auth0ClientCredentialsOptions
            {
                Domain = app.TenantUrl.AbsoluteUri,
                Audience = SandboxSeed.PaymentsApiIdentifier,
                CacheTokens = false,
                MaxRetries = 0,
            });
            var consumer = new ConsumerLoop(source, tokens, dashboardHttp, auth0Http);
            if (loop)
            {
                consumer._loop = Task.Run(consumer.RunAsync);
            }

            return consumer;
        }

        public async Task WarmUpAsync()
        {
            var watch = Stopwatch.StartNew();
            while (Successes < 5 && watch.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(10);
            }

            Assert.True(Successes >= 5, "The consumer could not authenticate before the rotations: " + string.Join(" | ", Failures));
        }

        public async Task KeepGoingAsync(TimeSpan duration)
        {
            var target = Successes + 5;
            var watch = Stopwatch.StartNew();
            while ((watch.Elapsed < duration || Successes < target) && watch.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(10);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            await Source.DisposeAsync();
            _dashboardHttp.Dispose();
            _auth0Http.Dispose();
            _stop.Dispose();
        }

        private async Task RunAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await Tokens.GetTokenAsync(_stop.Token);
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

                try
                {
                    await Task.Delay(10, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
