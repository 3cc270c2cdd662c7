using RotationDashboard.Testing;
using RotationDashboard.Sandbox;

namespace RotationDashboard.Client.Tests;

/// <summary>The dashboard source against an in-test server implementing the consumer read API contract.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class DashboardCredentialSourceTests(SharedSandbox sandbox) : IClassFixture<SharedSandbox>, IAsyncLifetime
{
    private const string ClientIdKey = DashboardSecretKeys.DefaultClientIdKey;
    private const string SecretKey = DashboardSecretKeys.DefaultClientSecretKey;

    private FakeDashboard _dashboard = null!;
    private readonly CapturingLoggerProvider _logs = new();
    private readonly List<IDisposable> _sources = [];

    public async Task InitializeAsync() => _dashboard = await FakeDashboard.StartAsync();

    public async Task DisposeAsync()
    {
        _sources.ForEach(s => s.Dispose());
        await _dashboard.DisposeAsync();
    }

    private DashboardCredentialSource Source(DashboardCredentialSourceOptions options, string? clientId = null)
    {
        var source = new DashboardCredentialSource(new HttpClient(), options, clientId, logger: _logs.CreateLogger<DashboardCredentialSource>());
        _sources.Add(source);
        return source;
    }

    [Fact]
    public async Task Current_and_next_are_built_from_the_published_values()
    {
        _dashboard.Publish(ClientIdKey, "the-client-id");
        _dashboard.Publish(SecretKey, "secret-v2", next: "secret-v3");
        var source = Source(_dashboard.Options());

        var credentials = await source.GetCredentialsAsync();

        Assert.Equal(Auth0CredentialKind.ClientSecret, credentials.Current.Kind);
        Assert.Equal("the-client-id", credentials.Current.ClientId);
        Assert.Equal("secret-v2", credentials.Current.ClientSecret);
        Assert.Equal("the-client-id", credentials.Next!.ClientId);
        Assert.Equal("secret-v3", credentials.Next.ClientSecret);
        Assert.Equal("v2", credentials.Current.Version);
        Assert.Equal("v3", credentials.Next.Version);
        Assert.Equal(1, _dashboard.Reads[ClientIdKey]);
        Assert.Equal(1, _dashboard.Reads[SecretKey]);
        _logs.AssertNoneContain("secret-v2", "secret-v3", FakeDashboard.ApiToken);
        Assert.True(_logs.Contains("CURRENT v2, NEXT v3"));
    }

    [Fact]
    public async Task A_directly_configured_client_id_needs_no_client_id_secret()
    {
        _dashboard.Publish(SecretKey, "only-secret");
        var source = Source(_dashboard.Options(DashboardSecretKeys.ClientSecret(clientIdKey: null)), clientId: "configured-client");

        var credentials = await source.GetCredentialsAsync();

        Assert.Equal("configured-client", credentials.Current.ClientId);
        Assert.Null(credentials.Next);
        Assert.False(_dashboard.Reads.ContainsKey(ClientIdKey));
    }

    [Fact]
    public async Task Private_keys_and_key_ids_are_read_and_a_bad_pem_is_reported_without_its_content()
    {
        var pem = TestKeys.First.PrivateKeyPem;
        _dashboard.Publish(ClientIdKey, "keyed-client");
        _dashboard.Publish(DashboardSecretKeys.DefaultPrivateKeyKey, pem);
        _dashboard.Publish(DashboardSecretKeys.DefaultKeyIdKey, "kid-current-0001", next: "kid-next-00000002");
        var source = Source(_dashboard.Options(DashboardSecretKeys.PrivateKey()));

        var credentials = await source.GetCredentialsAsync();

        Assert.Equal(Auth0CredentialKind.PrivateKey, credentials.Current.Kind);
        Assert.Equal("kid-current-0001", credentials.Current.KeyId);
        Assert.Equal("kid-next-00000002", credentials.Next!.KeyId);
        Assert.Equal(credentials.Current.PrivateKeyPem, credentials.Next.PrivateKeyPem);

        var publicPem = TestKeys.First.PublicKeyPem;
        _dashboard.Publish(DashboardSecretKeys.DefaultPrivateKeyKey, publicPem);
        var broken = Source(_dashboard.Options(DashboardSecretKeys.PrivateKey()));
        var exception = await Assert.ThrowsAsync<DashboardCredentialException>(() => broken.GetCredentialsAsync().AsTask());
        Assert.Equal(DashboardSecretKeys.DefaultPrivateKeyKey, exception.SecretKey);
        Assert.Contains("PUBLIC KEY", exception.Message);
        Assertions.NoSecretIn(exception, CapturingLoggerProvider.PemBodySample(publicPem), pem);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_promotion_landing_between_the_key_and_key_id_reads_still_offers_the_new_pair(bool keyReadBeforePromotion)
    {
        // A dashboard without the credential-set read: the two secrets are read in separate requests, so one may be read
        // before the rotation promotes NEXT and the other after. CURRENT is then a mismatched pair; NEXT must still be
        // the new key with its own key id.
        _dashboard.ServesCredentialSets = false;
        var (oldPem, newPem) = (TestKeys.First.PrivateKeyPem, TestKeys.Second.PrivateKeyPem);
        _dashboard.Publish(ClientIdKey, "keyed-client");
        if (keyReadBeforePromotion)
        {
            _dashboard.Publish(DashboardSecretKeys.DefaultPrivateKeyKey, oldPem, next: newPem);
            _dashboard.Publish(DashboardSecretKeys.DefaultKeyIdKey, "kid-new-000000002");
        }
        else
        {
            _dashboard.Publish(DashboardSecretKeys.DefaultPrivateKeyKey, newPem);
            _dashboard.Publish(DashboardSecretKeys.DefaultKeyIdKey, "kid-old-000000001", next: "kid-new-000000002");
        }

        var credentials = await Source(_dashboard.Options(DashboardSecretKeys.PrivateKey())).GetCredentialsAsync();

        Assert.NotNull(credentials.Next);
        Assert.Equal((newPem, "kid-new-000000002"), (credentials.Next.PrivateKeyPem, credentials.Next.KeyId));
    }

    [Fact]
    public async Task A_rotation_s_credential_set_is_read_in_one_request_so_the_key_id_always_belongs_to_its_key()
    {
        var (oldPem, newPem) = (TestKeys.First.PrivateKeyPem, TestKeys.Second.PrivateKeyPem);
        _dashboard.Publish(ClientIdKey, "keyed-client");
        _dashboard.Publish(DashboardSecretKeys.DefaultPrivateKeyKey, oldPem, next: newPem);
        _dashboard.Publish(DashboardSecretKeys.DefaultKeyIdKey, "kid-old-000000001", next: "kid-new-000000002");
        var source = Source(_dashboard.Options(DashboardSecretKeys.PrivateKey()));

        var credentials = await source.GetCredentialsAsync();

        Assert.Equal((1, 0), (_dashboard.CredentialSetRequests, _dashboard.SecretRequests));
        Assert.Equal(("keyed-client", oldPem, "kid-old-000000001"), (credentials.Current.ClientId, credentials.Current.PrivateKeyPem, credentials.Current.KeyId));
        Assert.Equal(("keyed-client", newPem, "kid-new-000000002"), (credentials.Next!.ClientId, credentials.Next.PrivateKeyPem, credentials.Next.KeyId));
        Assert.Equal(1, _dashboard.Reads[DashboardSecretKeys.DefaultKeyIdKey]);
        _logs.AssertNoneContain(CapturingLoggerProvider.PemBodySample(oldPem), CapturingLoggerProvider.PemBodySample(newPem), FakeDashboard.ApiToken);
    }

    [Fact]
    public async Task A_dashboard_without_credential_sets_is_read_secret_by_secret_and_asked_again_after_the_retry_interval()
    {
        _dashboard.Publish(ClientIdKey, "the-client-id");
        _dashboard.Publish(SecretKey, "secret-v1");
        _dashboard.ServesCredentialSets = false;
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = _dashboard.Options();
        options.RefreshInterval = TimeSpan.FromHours(1);
        var source = new DashboardCredentialSource(new HttpClient(), options, timeProvider: clock, logger: _logs.CreateLogger<DashboardCredentialSource>());
        _sources.Add(source);

        Assert.Equal("secret-v1", (await source.GetCredentialsAsync()).Current.ClientSecret);
        await source.RefreshAsync();
        Assert.Equal((1, 4), (_dashboard.CredentialSetRequests, _dashboard.SecretRequests)); // asked once, then remembered
        Assert.True(_logs.Contains("reading the secrets one by one"));

        // The dashboard is upgraded: after the retry interval the source reads the credential set again.
        _dashboard.ServesCredentialSets = true;
        _dashboard.Publish(SecretKey, "secret-v2");
        clock.Advance(DashboardCredentialSource.CredentialSetRetryInterval);
        Assert.Equal("secret-v2", (await source.RefreshAsync()).Current.ClientSecret);
        Assert.Equal((2, 4), (_dashboard.CredentialSetRequests, _dashboard.SecretRequests));
    }

    [Fact]
    public async Task Configured_names_that_are_not_the_rotation_s_mapping_are_read_secret_by_secret()
    {
        _dashboard.Publish(ClientIdKey, "the-client-id");
        _dashboard.Publish(DashboardSecretKeys.DefaultPrivateKeyKey, TestKeys.First.PrivateKeyPem);
        _dashboard.Publish("OTHER_KEY_ID", "kid-from-elsewhere");
        var source = Source(_dashboard.Options(DashboardSecretKeys.PrivateKey(keyIdKey: "OTHER_KEY_ID")));

        var credentials = await source.GetCredentialsAsync();

        Assert.Equal("kid-from-elsewhere", credentials.Current.KeyId);
        Assert.Equal((1, 3), (_dashboard.CredentialSetRequests, _dashboard.SecretRequests));
    }

    [Fact]
    public async Task A_missing_secret_is_a_clear_404_error()
    {
        _dashboard.Publish(ClientIdKey, "the-client-id");
        var source = Source(_dashboard.Options());

        var exception = await Assert.ThrowsAsync<DashboardCredentialException>(() => source.GetCredentialsAsync().AsTask());

        Assert.Equal(404, exception.StatusCode);
        Assert.Equal(SecretKey, exception.SecretKey);
        Assert.Contains($"no secret '{SecretKey}'", exception.Message);
        Assert.Contains(FakeDashboard.SecretPath, exception.Message);
        Assertions.NoSecretIn(exception, FakeDashboard.ApiToken);
    }

    [Fact]
    public async Task A_rejected_api_token_is_a_clear_401_error_that_does_not_show_the_token()
    {
        _dashboard.Publish(ClientIdKey, "the-client-id");
        _dashboard.Publish(SecretKey, "secret");
        const string wrongToken = "wrong-token-3c9d8e7f6a5b4c3d";
        var source = Source(_dashboard.Options(apiToken: wrongToken));

        var exception = await Assert.ThrowsAsync<DashboardCredentialException>(() => source.GetCredentialsAsync().AsTask());

        Assert.Equal(401, exception.StatusCode);
        Assert.Contains("rejected the API token", exception.Message);
        Assertions.NoSecretIn(exception, wrongToken);
        Assert.DoesNotContain(wrongToken, source.ToString() + _dashboard.Options(apiToken: wrongToken));
    }

    [Fact]
    public async Task A_token_for_another_path_is_a_clear_403_error()
    {
        _dashboard.Publish(ClientIdKey, "the-client-id");
        _dashboard.Publish(SecretKey, "secret");
        var options = _dashboard.Options();
        options.SecretPath = "/other";

        var exception = await Assert.ThrowsAsync<DashboardCredentialException>(() => Source(options).GetCredentialsAsync().AsTask());

        Assert.Equal(403, exception.StatusCode);
        Assert.Contains("secrets:read", exception.Message);
    }

    [Fact]
    public async Task Concurrent_first_calls_share_one_read()
    {
        _dashboard.Publish(ClientIdKey, "the-client-id");
        _dashboard.Publish(SecretKey, "secret");
        var source = Source(_dashboard.Options());

        var sets = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => source.GetCredentialsAsync().AsTask())));

        Assert.All(sets, set => Assert.Equal("secret", set.Current.ClientSecret));
        Assert.Equal(1, _dashboard.Reads[SecretKey]);
    }

    [Fact]
    public async Task New_values_are_picked_up_by_the_background_refresh_and_failures_keep_the_last_known_ones()
    {
        _dashboard.Publish(ClientIdKey, "the-client-id");
        _dashboard.Publish(SecretKey, "before");
        var options = _dashboard.Options();
        options.RefreshInterval = TimeSpan.FromMilliseconds(150);
        var source = Source(options);
        Assert.Equal("before", (await source.GetCredentialsAsync()).Current.ClientSecret);

        _dashboard.Publish(SecretKey, "after");
        await Assertions.EventuallyAsync(() => source.Credentials?.Current.ClientSecret == "after", because: "The background refresh did not pick up the new value.");

        _dashboard.FailWith = 503;
        var reads = _dashboard.TotalReads;
        await Assertions.EventuallyAsync(() => _dashboard.TotalReads > reads + 1);
        Assert.Equal("after", (await source.GetCredentialsAsync()).Current.ClientSecret);
        Assert.Equal("after", (await source.RefreshAsync()).Current.ClientSecret);
        Assert.True(_logs.Contains("Refreshing credentials from the dashboard failed"));
        _logs.AssertNoneContain("before", "after", FakeDashboard.ApiToken);
    }

    [Fact]
    public async Task Refreshes_caused_by_rejections_are_spaced_by_the_minimum_interval()
    {
        _dashboard.Publish(ClientIdKey, "the-client-id");
        _dashboard.Publish(SecretKey, "secret");
        var options = _dashboard.Options();
        options.MinRefreshInterval = TimeSpan.FromSeconds(30);
        var source = Source(options);
        await source.GetCredentialsAsync();

        await source.RefreshAsync();
        await source.RefreshAsync();

        Assert.Equal(1, _dashboard.Reads[SecretKey]);
    }

    [Fact]
    public async Task Single_phase_rotation_recovers_as_soon_as_the_dashboard_publishes_the_new_secret()
    {
        var host = sandbox.Host;
        var app = host.CreateSecretApp();
        _dashboard.Publish(ClientIdKey, app.ClientId);
        _dashboard.Publish(SecretKey, app.ClientSecret!);
        var source = Source(_dashboard.Options());
        var client = new Auth0TokenClient(new HttpClient(), source, host.Options(o => o.CacheTokens = false), logger: _logs.CreateLogger<Auth0TokenClient>());
        await client.GetTokenAsync();

        // Rotated in Auth0, not yet published: the consumer re-reads the dashboard, finds nothing new, and fails.
        var rotated = host.Tenant.RotateClientSecret(app.ClientId);
        var readsBefore = _dashboard.Reads[SecretKey];
        var exception = await Assert.ThrowsAsync<Auth0TokenException>(() => client.GetTokenAsync());
        Assert.True(exception.IsCredentialRejected);
        Assert.Equal(readsBefore + 1, _dashboard.Reads[SecretKey]);

        // Published: the next call fails with the cached old value, re-reads at once and succeeds.
        _dashboard.Publish(SecretKey, rotated);
        await client.GetTokenAsync();

        Assert.Equal(rotated, source.Credentials!.Current.ClientSecret);
        _logs.AssertNoneContain(app.ClientSecret, rotated, FakeDashboard.ApiToken);
    }

    [Fact]
    public async Task Two_phase_rotation_promotes_next_and_a_re_read_does_not_bring_the_old_secret_back()
    {
        var host = sandbox.Host;
        var app = host.CreateSecretApp();
        var newSecret = "dashboard-next-" + Guid.NewGuid().ToString("N");
        _dashboard.Publish(ClientIdKey, app.ClientId);
        _dashboard.Publish(SecretKey, app.ClientSecret!, next: newSecret);
        var source = Source(_dashboard.Options());
        var recorder = new RecordingHandler();
        var client = new Auth0TokenClient(recorder.CreateClient(), source, host.Options(o => o.CacheTokens = false));

        host.Tenant.SetClientSecret(app.ClientId, newSecret);
        await client.GetTokenAsync();
        Assert.Equal(newSecret, source.Credentials!.Current.ClientSecret);

        // The dashboard still lists (old, new) until its rotation completes; the old one stays retired.
        await source.RefreshAsync();
        Assert.Equal(newSecret, source.Credentials!.Current.ClientSecret);
        await client.GetTokenAsync();
        Assert.Equal(new[] { 401, 200, 200 }, recorder.Requests.Select(r => r.Status));

        // The dashboard completes the rotation: (new) only.
        _dashboard.Publish(SecretKey, newSecret);
        await source.RefreshAsync();
        Assert.Equal(newSecret, source.Credentials!.Current.ClientSecret);
        Assert.Null(source.Credentials.Next);
    }
}
