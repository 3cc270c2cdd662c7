using RotationDashboard.Testing;
using RotationDashboard.Sandbox;

namespace RotationDashboard.Client.Tests;

/// <summary>
/// The point of seed 000: a consumer that knows NEXT before the rotation keeps working through it. Four workers make
/// a few hundred token requests (token cache off, so every call hits /oauth/token) while the app's credential is
/// replaced in the sandbox mid-loop, with no propagation window (the old credential dies at once).
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class ZeroDowntimeTests(SharedSandbox sandbox) : IClassFixture<SharedSandbox>
{
    private const int Workers = 4;
    private const int RequestsPerWorker = 75;
    private const int RotateAfter = 100;

    [Fact]
    public async Task Client_secret_rotation_mid_loop_fails_no_request()
    {
        var host = sandbox.Host;
        var app = host.CreateSecretApp();
        var newSecret = "rotated-" + Guid.NewGuid().ToString("N") + "-secret-with+special=chars.0";
        var source = new StaticCredentialSource(TestSandbox.Secret(app.ClientId, app.ClientSecret!), TestSandbox.Secret(app.ClientId, newSecret));

        var result = await RunLoopAsync(host, source, () => host.Tenant.SetClientSecret(app.ClientId, newSecret));

        Assert.Equal(0, result.Failures);
        Assert.Equal(Workers * RequestsPerWorker, result.Successes);
        Assert.True(result.Rejections >= 1, "The old secret should have been rejected at least once after the rotation.");
        Assert.Equal(newSecret, source.Credentials.Current.ClientSecret);
        Assert.Null(source.Credentials.Next);
    }

    [Fact]
    public async Task Private_key_rotation_mid_loop_fails_no_request()
    {
        var host = sandbox.Host;
        var (app, oldKey) = await host.CreateKeyAppAsync(TestKeys.First);
        var newKey = await host.RegisterKeyAsync(app.ClientId, TestKeys.Second);
        var source = new StaticCredentialSource(TestSandbox.Key(app.ClientId, oldKey), TestSandbox.Key(app.ClientId, newKey));

        // The Terraform provider's order: attach [old, new], then keep only [new].
        var result = await RunLoopAsync(host, source, () =>
        {
            host.Tenant.AttachCredentials(app.ClientId, oldKey.CredentialId, newKey.CredentialId);
            host.Tenant.AttachCredentials(app.ClientId, newKey.CredentialId);
        });

        Assert.Equal(0, result.Failures);
        Assert.Equal(Workers * RequestsPerWorker, result.Successes);
        Assert.True(result.Rejections >= 1, "The old key should have been rejected at least once after the rotation.");
        Assert.Equal(newKey.Kid, source.Credentials.Current.KeyId);
    }

    private sealed record LoopResult(int Successes, int Failures, int Rejections);

    private static async Task<LoopResult> RunLoopAsync(SandboxHost host, ICredentialSource source, Action rotate)
    {
        var recorder = new RecordingHandler();
        var client = new Auth0TokenClient(recorder.CreateClient(), source, host.Options(o => o.CacheTokens = false));
        var successes = 0;
        var failures = 0;
        var rotated = 0;

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < RequestsPerWorker; i++)
            {
                try
                {
                    await client.GetTokenAsync();
                    if (Interlocked.Increment(ref successes) == RotateAfter && Interlocked.Exchange(ref rotated, 1) == 0)
                        rotate();
                }
                catch (Auth0TokenException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));

        Assert.Equal(1, rotated);
        return new LoopResult(successes, failures, recorder.Requests.Count(r => r.Status == 401));
    }
}
