using RotationDashboard.Testing;
using RotationDashboard.Sandbox;
using Microsoft.Extensions.Time.Testing;

namespace RotationDashboard.Client.Tests;

/// <summary>Client secrets against the sandbox: CURRENT, caching, and the CURRENT → NEXT fallback of seed 000.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class ClientSecretTests(SharedSandbox sandbox) : IClassFixture<SharedSandbox>
{
    private SandboxHost Host => sandbox.Host;

    [Fact]
    public async Task Current_secret_gets_a_token_with_one_request_and_the_token_is_reused()
    {
        var app = Host.CreateSecretApp();
        var recorder = new RecordingHandler();
        var client = new Auth0TokenClient(recorder.CreateClient(), new StaticCredentialSource(TestSandbox.Secret(app.ClientId, app.ClientSecret!)), Host.Options());

        var first = await client.GetTokenAsync();
        var second = await client.GetTokenAsync();

        Assert.Same(first, second);
        Assert.Equal("Bearer", first.TokenType);
        Assert.Equal("read:clients", first.Scope);
        var request = Assert.Single(recorder.Requests);
        Assert.Equal(200, request.Status);
        Assert.Equal(app.ClientSecret, request.ClientSecret);
        Assert.Equal("client_credentials", request.Form["grant_type"]);
        Assert.Equal(app.ClientId, request.Form["client_id"]);
        Assert.Equal(Host.ManagementApiUrl.AbsoluteUri, request.Form["audience"]);
        Assert.DoesNotContain(first.AccessToken, first.ToString());
    }

    [Fact]
    public async Task Cached_token_is_replaced_shortly_before_it_expires()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var app = Host.CreateSecretApp();
        var recorder = new RecordingHandler();
        var client = new Auth0TokenClient(recorder.CreateClient(), new StaticCredentialSource(TestSandbox.Secret(app.ClientId, app.ClientSecret!)),
            Host.Options(o => o.TokenRefreshMargin = TimeSpan.FromSeconds(60)), clock);

        var first = await client.GetTokenAsync();
        Assert.Equal(clock.GetUtcNow().AddSeconds(86400), first.ExpiresAt);
        clock.Advance(TimeSpan.FromSeconds(86400 - 61));
        Assert.Same(first, await client.GetTokenAsync());
        Assert.Equal(1, recorder.Count);

        clock.Advance(TimeSpan.FromSeconds(2));
        var second = await client.GetTokenAsync();

        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(2, recorder.Count);
    }

    [Fact]
    public async Task A_short_lived_token_is_refreshed_at_half_its_lifetime_at_the_latest()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestSandbox.StartAsync(o => o.AccessTokenLifetime = TimeSpan.FromSeconds(60));
        var app = host.CreateSecretApp();
        var recorder = new RecordingHandler();
        var client = new Auth0TokenClient(recorder.CreateClient(), new StaticCredentialSource(TestSandbox.Secret(app.ClientId, app.ClientSecret!)),
            host.Options(), clock);

        var first = await client.GetTokenAsync();
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Same(first, await client.GetTokenAsync());
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.NotSame(first, await client.GetTokenAsync());
        Assert.Equal(2, recorder.Count);
    }

    [Fact]
    public async Task Invalidated_token_is_fetched_again_and_unknown_tokens_are_ignored()
    {
        var app = Host.CreateSecretApp();
        var recorder = new RecordingHandler();
        var client = new Auth0TokenClient(recorder.CreateClient(), new StaticCredentialSource(TestSandbox.Secret(app.ClientId, app.ClientSecret!)), Host.Options());

        var first = await client.GetTokenAsync();
        client.InvalidateToken("some-other-token");
        Assert.Same(first, await client.GetTokenAsync());
        client.InvalidateToken(first.AccessToken);
        var second = await client.GetTokenAsync();

        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(2, recorder.Count);
    }

    [Fact]
    public async Task Client_secret_basic_sends_the_secret_in_the_authorization_header_only()
    {
        var app = Host.CreateSecretApp(SandboxAuthMethod.ClientSecretBasic);
        var recorder = new RecordingHandler();
        var client = new Auth0TokenClient(recorder.CreateClient(), new StaticCredentialSource(TestSandbox.Secret(app.ClientId, app.ClientSecret!)),
            Host.Options(o => o.ClientSecretAuthentication = ClientSecretAuthentication.ClientSecretBasic));

        await client.GetTokenAsync();

        var request = Assert.Single(recorder.Requests);
        Assert.Equal(200, request.Status);
        Assert.Equal($"{app.ClientId}:{app.ClientSecret}", request.BasicCredentials);
        Assert.Null(request.ClientSecret);
    }

    [Fact]
    public async Task Configured_audience_and_scope_are_requested()
    {
        var recorder = new RecordingHandler();
        var client = new Auth0TokenClient(recorder.CreateClient(),
            new StaticCredentialSource(TestSandbox.Secret(SandboxSeed.PaymentsWorkerClientId, SandboxSeed.PaymentsWorkerClientSecret)),
            Host.Options(o =>
            {
                o.Audience = SandboxSeed.PaymentsApiIdentifier;
                o.Scope = "read:payments";
            }));

        var token = await client.GetTokenAsync();

        Assert.Equal("read:payments", token.Scope);
        Assert.Equal(SandboxSeed.PaymentsApiIdentifier, client.Audience);
        Assert.Equal(SandboxSeed.PaymentsApiIdentifier, Assert.Single(recorder.Requests).Form["audience"]);
    }

    [Fact]
    public async Task Rotated_secret_falls_back_to_next_promotes_it_and_later_calls_use_it_directly()
    {
        var app = Host.CreateSecretApp();
        var newSecret = "new-secret-" + Guid.NewGuid().ToString("N") + "-0123456789abcdef";
        var logs = new CapturingLoggerProvider();
        var recorder = new RecordingHandler();
        var source = new StaticCredentialSource(TestSandbox.Secret(app.ClientId, app.ClientSecret!), TestSandbox.Secret(app.ClientId, newSecret));
        var client = new Auth0TokenClient(recorder.CreateClient(), source, Host.Options(o => o.CacheTokens = false), logger: logs.CreateLogger<Auth0TokenClient>());
        await client.GetTokenAsync();
        Assert.Equal(app.ClientSecret, Assert.Single(recorder.Requests).ClientSecret);

        Host.Tenant.SetClientSecret(app.ClientId, newSecret);
        await client.GetTokenAsync();

        Assert.Equal(
            new (string?, int)[] { (app.ClientSecret, 200), (app.ClientSecret, 401), (newSecret, 200) },
            recorder.Requests.Select(r => (r.ClientSecret, r.Status)));
        Assert.Equal(newSecret, source.Credentials.Current.ClientSecret);
        Assert.Null(source.Credentials.Next);

        await client.GetTokenAsync();
        Assert.Equal(((string?)newSecret, 200), recorder.Requests.Select(r => (r.ClientSecret, r.Status)).Last());
        Assert.Equal(4, recorder.Count);

        Assert.True(logs.Contains("falling back to the NEXT credential"));
        Assert.True(logs.Contains("Promoted the NEXT credential"));
        logs.AssertNoneContain(app.ClientSecret, newSecret);
    }

    [Fact]
    public async Task Inside_the_propagation_window_the_old_secret_still_works_and_nothing_is_promoted()
    {
        var app = Host.CreateSecretApp();
        var source = new StaticCredentialSource(TestSandbox.Secret(app.ClientId, app.ClientSecret!), TestSandbox.Secret(app.ClientId, "next-" + Guid.NewGuid()));
        var client = new Auth0TokenClient(new HttpClient(), source, Host.Options());

        Host.Tenant.SetPropagationWindow(TimeSpan.FromSeconds(30));
        try
        {
            Host.Tenant.RotateClientSecret(app.ClientId);
            await client.GetTokenAsync();
        }
        finally
        {
            Host.Tenant.SetPropagationWindow(TimeSpan.Zero);
        }

        Assert.Equal(app.ClientSecret, source.Credentials.Current.ClientSecret);
        Assert.NotNull(source.Credentials.Next);
    }

    [Fact]
    public async Task When_every_credential_is_rejected_the_error_says_so_without_revealing_them()
    {
        var app = Host.CreateSecretApp();
        var wrongCurrent = "wrong-current-" + Guid.NewGuid().ToString("N");
        var wrongNext = "wrong-next-" + Guid.NewGuid().ToString("N");
        var logs = new CapturingLoggerProvider();
        var recorder = new RecordingHandler();
        var client = new Auth0TokenClient(recorder.CreateClient(),
            new StaticCredentialSource(TestSandbox.Secret(app.ClientId, wrongCurrent), TestSandbox.Secret(app.ClientId, wrongNext)),
            Host.Options(), logger: logs.CreateLogger<Auth0TokenClient>());

        var exception = await Assert.ThrowsAsync<Auth0TokenException>(() => client.GetTokenAsync());

        Assert.True(exception.IsCredentialRejected);
        Assert.False(exception.IsTransient);
        Assert.Equal(401, exception.StatusCode);
        Assert.Equal("access_denied", exception.Error);
        Assert.Equal(app.ClientId, exception.ClientId);
        Assert.Contains(app.ClientId, exception.Message);
        Assert.Equal(2, recorder.Count);
        Assertions.NoSecretIn(exception, wrongCurrent, wrongNext);
        logs.AssertNoneContain(wrongCurrent, wrongNext);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_token_request()
    {
        var app = Host.CreateSecretApp();
        var recorder = new RecordingHandler();
        var client = new Auth0TokenClient(recorder.CreateClient(), new StaticCredentialSource(TestSandbox.Secret(app.ClientId, app.ClientSecret!)), Host.Options());

        Host.Tenant.SetFaults(new SandboxFaults { Latency = TimeSpan.FromMilliseconds(200), Targets = SandboxFaultTargets.Token });
        Auth0AccessToken[] tokens;
        try
        {
            tokens = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => client.GetTokenAsync())));
        }
        finally
        {
            Host.Tenant.ClearFaults();
        }

        Assert.Single(tokens.Select(t => t.AccessToken).Distinct());
        Assert.Equal(1, recorder.Count);
    }

    [Fact]
    public async Task A_caller_that_gives_up_does_not_fail_the_shared_request_for_the_others()
    {
        var app = Host.CreateSecretApp();
        var client = new Auth0TokenClient(new HttpClient(), new StaticCredentialSource(TestSandbox.Secret(app.ClientId, app.ClientSecret!)), Host.Options());
        using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        Host.Tenant.SetFaults(new SandboxFaults { Latency = TimeSpan.FromMilliseconds(300), Targets = SandboxFaultTargets.Token });
        try
        {
            var cancelled = client.GetTokenAsync(impatient.Token);
            var patient = client.GetTokenAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
            Assert.NotEmpty((await patient).AccessToken);
        }
        finally
        {
            Host.Tenant.ClearFaults();
        }
    }
}
