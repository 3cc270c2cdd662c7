using Microsoft.Extensions.Logging.Testing;
using RotationDashboard.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RotationDashboard.Sandbox.Tests;

[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class PersistenceTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sandbox-state-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task The_tenant_is_saved_after_each_change_and_reloaded_on_restart()
    {
        var path = Path.Combine(_directory, "tenant.json");
        string newSecret, credentialId, createdClientId, signingKid;
        await using (var first = await TestSandbox.StartAsync(o => o.StateFilePath = path))
        {
            Assert.True(File.Exists(path));
            using var http = first.CreateHttpClient();
            using var api = first.CreateHttpClient().WithBearer(await http.ManagementTokenAsync(first));
            using var rotated = await api.PostAsync($"api/v2/clients/{SandboxSeed.BillingServiceClientId}/rotate-secret", null);
            newSecret = (await rotated.ReadJsonAsync()).GetProperty("client_secret").GetString()!;
            createdClientId = first.Tenant.CreateClient("Survivor").ClientId;
            credentialId = first.Tenant.AddPrivateKeyJwtCredential(createdClientId, attach: false).CredentialId;
            signingKid = (await http.GetFromJsonAsync<JsonElement>(".well-known/jwks.json")).GetProperty("keys")[0].GetProperty("kid").GetString()!;
        }

        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Single(Directory.GetFiles(_directory)); // no temporary files left behind

        await using var second = await TestSandbox.StartAsync(o => o.StateFilePath = path);
        using var secondHttp = second.CreateHttpClient();
        Assert.Equal(newSecret, second.Tenant.GetClientSecret(SandboxSeed.BillingServiceClientId));
        Assert.Equal(credentialId, second.Tenant.GetCredentials(createdClientId).Single().Id);
        Assert.NotNull(second.Tenant.GetKeyPair(createdClientId, credentialId));
        using var token = await secondHttp.ClientCredentialsAsync(second, SandboxSeed.BillingServiceClientId, newSecret, SandboxSeed.PaymentsApiIdentifier);
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        Assert.Equal(signingKid, (await secondHttp.GetFromJsonAsync<JsonElement>(".well-known/jwks.json")).GetProperty("keys")[0].GetProperty("kid").GetString());
    }

    [Fact]
    public async Task A_damaged_state_file_stops_the_start_and_is_left_alone()
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, "tenant.json");
        await File.WriteAllTextAsync(path, "{ not json");

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => TestSandbox.StartAsync(o => o.StateFilePath = path));

        Assert.Contains(path, exception.Message);
        Assert.Equal("{ not json", await File.ReadAllTextAsync(path));
    }
}

[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class HostingTests
{
    [Fact]
    public async Task Invalid_options_are_refused_at_start()
    {
        var options = new SandboxTenantOptions { ManagementRequestsPerSecond = 5, ManagementBurst = 0 };

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => SandboxHost.StartAsync(options));

        Assert.Contains("ManagementBurst", exception.Message);
    }

    [Fact]
    public async Task Mounted_under_a_prefix_the_urls_and_audiences_include_it()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.AddSandboxTenant(o => o.UsePlan(SandboxPlan.Unlimited));
        await using var app = builder.Build();
        app.MapGet("/", () => "the dashboard");
        app.MapSandboxTenant("/sandbox-tenant");
        await app.StartAsync();
        var root = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        var baseUrl = root + "/sandbox-tenant/";
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };

        using var token = await http.PostAsync("oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = SandboxSeed.DashboardClientId,
            ["client_secret"] = SandboxSeed.DefaultDashboardClientSecret,
            ["audience"] = baseUrl + "api/v2/",
        }));
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        http.WithBearer((await token.ReadJsonAsync()).GetProperty("access_token").GetString()!);
        using var clients = await http.GetAsync("api/v2/clients");
        var discovery = await http.GetFromJsonAsync<JsonElement>(".well-known/openid-configuration");

        Assert.Equal(HttpStatusCode.OK, clients.StatusCode);
        Assert.Equal(baseUrl, discovery.GetProperty("issuer").GetString());
        Assert.Equal("the dashboard", await http.GetStringAsync(root + "/"));
        await app.StopAsync();
    }

    [Fact]
    public async Task Configured_callback_urls_replace_the_any_loopback_default()
    {
        await using var host = await TestSandbox.StartAsync(o => o.AllowedCallbackUrls = ["https://dashboard.example.test/signin-oauth"]);
        using var http = host.CreateHttpClient(followRedirects: false);
        string Authorize(string redirect) =>
            $"authorize?response_type=code&client_id={SandboxSeed.LoginClientId}&redirect_uri={Uri.EscapeDataString(redirect)}";

        using var listed = await http.GetAsync(Authorize("https://dashboard.example.test/signin-oauth"));
        using var loopback = await http.GetAsync(Authorize("http://localhost:5000/signin-oauth"));

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, loopback.StatusCode);
    }

    [Fact]
    public async Task Logs_are_structured_and_never_contain_secrets_tokens_or_keys()
    {
        var logs = new FakeLogCollector();
        await using var host = await TestSandbox.StartAsync(o => o.PropagationWindow = TimeSpan.FromSeconds(5), loggerProvider: new FakeLoggerProvider(logs));
        using var http = host.CreateHttpClient();
        var token = await http.ManagementTokenAsync(host);
        using var api = host.CreateHttpClient().WithBearer(token);
        using var wrong = await http.ClientCredentialsAsync(host, SandboxSeed.PaymentsWorkerClientId, "wrong-secret-value-123");
        var customSecret = "custom-secret-" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        using var patched = await api.PatchJsonAsync($"api/v2/clients/{SandboxSeed.PaymentsWorkerClientId}", new { client_secret = customSecret });
        using var rotated = await api.PostAsync($"api/v2/clients/{SandboxSeed.BillingServiceClientId}/rotate-secret", null);
        var rotatedSecret = (await rotated.ReadJsonAsync()).GetProperty("client_secret").GetString()!;
        var keyed = host.Tenant.CreateClient("Logged", authMethod: SandboxAuthMethod.PrivateKeyJwt);
        var assertion = keyed.KeyPair!.CreateClientAssertion(keyed.ClientId, host.BaseUrl, DateTimeOffset.UtcNow);
        using var assertionToken = await http.RequestTokenAsync(("grant_type", "client_credentials"), ("client_assertion", assertion),
            ("client_assertion_type", SandboxClientAssertion.AssertionType), ("audience", host.ManagementApiUrl.AbsoluteUri));

        var all = logs.AllText();
        Assert.Contains("wrong client secret", all);
        Assert.Contains(SandboxSeed.PaymentsWorkerClientId, all);
        foreach (var secret in new[]
                 {
                     SandboxSeed.DefaultDashboardClientSecret, SandboxSeed.PaymentsWorkerClientSecret, "wrong-secret-value-123", customSecret,
                     rotatedSecret, token, assertion, keyed.ClientSecret!, "PRIVATE KEY",
                 })
        {
            Assert.DoesNotContain(secret, all);
        }

        Assert.DoesNotContain(keyed.ClientSecret!, keyed.ToString());
        Assert.DoesNotContain("PRIVATE", keyed.KeyPair.ToString());
    }
}
