using RotationDashboard.Testing;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RotationDashboard.Sandbox;

namespace RotationDashboard.Client.Tests;

/// <summary>Configuration binding, source selection, start-up validation and tenant addressing.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class ConfigurationTests(SharedSandbox sandbox) : IClassFixture<SharedSandbox>
{
    private SandboxHost Host => sandbox.Host;

    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("Auth0Client");

    [Fact]
    public async Task Static_credentials_bound_from_configuration_fall_back_to_next()
    {
        var app = Host.CreateSecretApp();
        var newSecret = "configured-next-" + Guid.NewGuid().ToString("N");
        var services = new ServiceCollection();
        services.AddAuth0ClientCredentials(Section(new()
        {
            ["Auth0Client:Domain"] = Host.BaseUrl.AbsoluteUri,
            ["Auth0Client:ClientId"] = app.ClientId,
            ["Auth0Client:Current:ClientSecret"] = app.ClientSecret,
            ["Auth0Client:Next:ClientSecret"] = newSecret,
            ["Auth0Client:CacheTokens"] = "false",
        }));
        await using var provider = services.BuildServiceProvider();
        Host.Tenant.SetClientSecret(app.ClientId, newSecret);

        await provider.GetRequiredService<IAuth0TokenProvider>().GetTokenAsync();

        var source = Assert.IsType<StaticCredentialSource>(provider.GetRequiredService<ICredentialSource>());
        Assert.Equal(newSecret, source.Credentials.Current.ClientSecret);
    }

    [Fact]
    public async Task A_private_key_from_configuration_with_escaped_newlines_works()
    {
        var (app, key) = await Host.CreateKeyAppAsync();
        var services = new ServiceCollection();
        services.AddAuth0ClientCredentials(Section(new()
        {
            ["Auth0Client:Domain"] = Host.BaseUrl.AbsoluteUri,
            ["Auth0Client:ClientId"] = app.ClientId,
            ["Auth0Client:Current:PrivateKeyPem"] = key.PrivateKeyPem.Replace("\n", "\\n"),
            ["Auth0Client:Current:KeyId"] = key.Kid,
        })).UseStaticCredentials();
        await using var provider = services.BuildServiceProvider();

        var token = await provider.GetRequiredService<IAuth0TokenProvider>().GetTokenAsync();

        Assert.NotEmpty(token.AccessToken);
    }

    [Fact]
    public async Task A_dashboard_section_selects_the_dashboard_source()
    {
        await using var dashboard = await FakeDashboard.StartAsync();
        var app = Host.CreateSecretApp();
        dashboard.Publish(DashboardSecretKeys.DefaultClientIdKey, app.ClientId);
        dashboard.Publish(DashboardSecretKeys.DefaultClientSecretKey, app.ClientSecret!);
        var services = new ServiceCollection();
        services.AddAuth0ClientCredentials(Section(new()
        {
            ["Auth0Client:Domain"] = Host.BaseUrl.AbsoluteUri,
            ["Auth0Client:Dashboard:Url"] = dashboard.Url.AbsoluteUri,
            ["Auth0Client:Dashboard:ApiToken"] = FakeDashboard.ApiToken,
            ["Auth0Client:Dashboard:ProjectId"] = FakeDashboard.ProjectId,
            ["Auth0Client:Dashboard:Environment"] = FakeDashboard.Environment,
            ["Auth0Client:Dashboard:SecretPath"] = FakeDashboard.SecretPath,
            ["Auth0Client:Dashboard:ClientIdKey"] = DashboardSecretKeys.DefaultClientIdKey,
            ["Auth0Client:Dashboard:ClientSecretKey"] = DashboardSecretKeys.DefaultClientSecretKey,
        }));
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IAuth0TokenProvider>().GetTokenAsync();

        Assert.IsType<DashboardCredentialSource>(provider.GetRequiredService<ICredentialSource>());
        Assert.Equal(1, dashboard.Reads[DashboardSecretKeys.DefaultClientSecretKey]);
    }

    [Fact]
    public async Task UseDashboard_with_named_registrations_and_keyed_services()
    {
        await using var dashboard = await FakeDashboard.StartAsync();
        var app = Host.CreateSecretApp();
        dashboard.Publish("BILLING_CLIENT_SECRET", app.ClientSecret!);
        var services = new ServiceCollection();
        services.AddAuth0ClientCredentials("billing", options =>
            {
                options.Domain = Host.BaseUrl.AbsoluteUri;
                options.ClientId = app.ClientId;
            })
            .UseDashboard(dashboard.Url, FakeDashboard.ApiToken, FakeDashboard.ProjectId, FakeDashboard.Environment, FakeDashboard.SecretPath,
                DashboardSecretKeys.ClientSecret("BILLING_CLIENT_SECRET", clientIdKey: null));
        await using var provider = services.BuildServiceProvider();

        var token = await provider.GetRequiredKeyedService<IAuth0TokenProvider>("billing").GetTokenAsync();

        Assert.NotEmpty(token.AccessToken);
        Assert.Null(provider.GetService<IAuth0TokenProvider>());
    }

    [Fact]
    public async Task Invalid_options_stop_the_host_at_start_up_with_clear_messages_and_no_secret()
    {
        var publicPem = TestKeys.First.PublicKeyPem;
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAuth0ClientCredentials(options =>
        {
            options.Domain = "http://auth.example.com";
            options.Current = new Auth0CredentialOptions { PrivateKeyPem = publicPem };
            options.Next = new Auth0CredentialOptions { ClientSecret = "super-secret-next-value" };
            options.SigningAlgorithm = "HS256";
            options.ClientAssertionLifetime = TimeSpan.FromMinutes(10);
        });
        using var host = builder.Build();

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        var message = string.Join("\n", exception.Failures);
        Assert.Contains("plain http to a non-loopback host", message);
        Assert.Contains("ClientId is required", message);
        Assert.Contains("Current:PrivateKeyPem", message);
        Assert.Contains("SigningAlgorithm 'HS256'", message);
        Assert.Contains("ClientAssertionLifetime", message);
        Assert.Contains("same kind of credential", message);
        Assert.DoesNotContain("super-secret-next-value", message);
        Assert.DoesNotContain(CapturingLoggerProvider.PemBodySample(publicPem), message);
    }

    [Fact]
    public void Dashboard_settings_are_validated_with_clear_messages()
    {
        var failures = Auth0ClientCredentialsOptionsValidator.Collect(new Auth0ClientCredentialsOptions
        {
            Domain = "my-tenant.eu.auth0.com",
            Dashboard = new DashboardCredentialSourceOptions
            {
                Url = new Uri("http://dashboard.example.com/"),
                ClientSecretKey = "AUTH0_CLIENT_SECRET",
                PrivateKeyKey = "AUTH0_PRIVATE_KEY",
                SecretPath = "payments",
            },
        });

        Assert.Contains(failures, f => f.Contains("Dashboard:Url") && f.Contains("plain http"));
        Assert.Contains(failures, f => f.Contains("Dashboard:ApiToken is required"));
        Assert.Contains(failures, f => f.Contains("Dashboard:ProjectId is required"));
        Assert.Contains(failures, f => f.Contains("Dashboard:Environment is required"));
        Assert.Contains(failures, f => f.Contains("Dashboard:SecretPath must start with '/'"));
        Assert.Contains(failures, f => f.Contains("Set ClientId, or Dashboard:ClientIdKey"));
        Assert.Contains(failures, f => f.Contains("exactly one of Dashboard:ClientSecretKey"));
        Assert.DoesNotContain(failures, f => f.Contains("Current"));
    }

    [Theory]
    [InlineData("my-tenant.eu.auth0.com", "https://my-tenant.eu.auth0.com/")]
    [InlineData("https://my-tenant.eu.auth0.com", "https://my-tenant.eu.auth0.com/")]
    [InlineData("http://127.0.0.1:5123", "http://127.0.0.1:5123/")]
    [InlineData("http://localhost:5000/sandbox-tenant", "http://localhost:5000/sandbox-tenant/")]
    [InlineData("http://localhost:5000/sandbox-tenant/", "http://localhost:5000/sandbox-tenant/")]
    public void Tenant_addressing_accepts_a_domain_or_a_base_url(string domain, string baseUrl)
    {
        var client = new Auth0TokenClient(new HttpClient(), new StaticCredentialSource(TestSandbox.Secret("id", "secret")),
            new Auth0ClientCredentialsOptions { Domain = domain });

        Assert.Equal(baseUrl, client.TenantBaseUrl.AbsoluteUri);
        Assert.Equal(baseUrl + "oauth/token", client.TokenEndpoint.AbsoluteUri);
        Assert.Equal(baseUrl + "api/v2/", client.Audience);
    }

    [Theory]
    [InlineData("http://auth.example.com")]
    [InlineData("https://my-tenant.auth0.com/?x=1")]
    [InlineData("ftp://my-tenant.auth0.com")]
    [InlineData("")]
    public void Unusable_tenant_addresses_are_refused(string domain)
    {
        var exception = Assert.Throws<ArgumentException>(() => new Auth0TokenClient(new HttpClient(),
            new StaticCredentialSource(TestSandbox.Secret("id", "secret")), new Auth0ClientCredentialsOptions { Domain = domain }));

        Assert.Contains("Domain", exception.Message);
    }

    [Fact]
    public async Task A_sandbox_mounted_under_a_path_works_for_secrets_and_assertions()
    {
        var stateFile = await TestSandbox.NewStateFileAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.AddSandboxTenant(o =>
        {
            o.UsePlan(SandboxPlan.Unlimited);
            o.PropagationWindow = TimeSpan.Zero;
            o.StateFilePath = stateFile;
        });
        await using var web = builder.Build();
        web.MapSandboxTenant("/sandbox-tenant");
        await web.StartAsync();
        var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("127.0.0.1", "localhost");
        var tenant = web.Services.GetRequiredService<SandboxTenant>();
        var secretApp = tenant.CreateClient("Path secret", managementScopes: ["read:clients"]);
        var key = tenant.GetKeyPair(SandboxSeed.LedgerSyncClientId, SandboxSeed.LedgerSyncCredentialId)!;
        var domain = address + "/sandbox-tenant";

        var bySecret = new Auth0TokenClient(new HttpClient(), new StaticCredentialSource(TestSandbox.Secret(secretApp.ClientId, secretApp.ClientSecret!)),
            new Auth0ClientCredentialsOptions { Domain = domain });
        var byKey = new Auth0TokenClient(new HttpClient(), new StaticCredentialSource(TestSandbox.Key(SandboxSeed.LedgerSyncClientId, key)),
            new Auth0ClientCredentialsOptions { Domain = domain, Audience = SandboxSeed.PaymentsApiIdentifier });

        Assert.NotEmpty((await bySecret.GetTokenAsync()).AccessToken);
        Assert.NotEmpty((await byKey.GetTokenAsync()).AccessToken);
        Assert.Equal(domain + "/api/v2/", bySecret.Audience);
        Assert.Equal(domain + "/", byKey.TenantBaseUrl.AbsoluteUri);
    }

    [Fact]
    public void Credentials_never_show_their_secrets()
    {
        var pem = TestKeys.First.PrivateKeyPem;
        var secret = Auth0Credential.FromClientSecret("client-a", "the-secret-value", "v7");
        var key = Auth0Credential.FromPrivateKey("client-a", pem, "kid-123");
        var options = new Auth0CredentialOptions { ClientSecret = "the-secret-value", PrivateKeyPem = pem };
        var dashboard = new DashboardCredentialSourceOptions { ApiToken = "the-api-token" };

        var shown = string.Join("\n", secret, key, new Auth0CredentialSet(secret, Auth0Credential.FromClientSecret("client-a", "other-secret")), options, dashboard,
            new Auth0AccessToken("the-access-token", "Bearer", DateTimeOffset.UnixEpoch, null));

        Assert.Contains("client secret of client-a [v7]", shown);
        Assert.Contains("private key kid-123 of client-a", shown);
        foreach (var hidden in new[] { "the-secret-value", "other-secret", "the-api-token", "the-access-token", CapturingLoggerProvider.PemBodySample(pem) })
            Assert.DoesNotContain(hidden, shown);
    }

    [Fact]
    public void Credential_equality_compares_values_not_version_labels()
    {
        Assert.Equal(Auth0Credential.FromClientSecret("a", "s", "v1"), Auth0Credential.FromClientSecret("a", "s", "v2"));
        Assert.NotEqual(Auth0Credential.FromClientSecret("a", "s"), Auth0Credential.FromClientSecret("a", "t"));
        Assert.Null(new Auth0CredentialSet(Auth0Credential.FromClientSecret("a", "s"), Auth0Credential.FromClientSecret("a", "s")).Next);
    }

    [Fact]
    public void Public_keys_and_garbage_are_refused_as_private_keys()
    {
        var publicPem = TestKeys.First.PublicKeyPem;

        var publicKey = Assert.Throws<ArgumentException>(() => Auth0Credential.FromPrivateKey("a", publicPem));
        var garbage = Assert.Throws<ArgumentException>(() => Auth0Credential.FromPrivateKey("a", "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----"));

        Assert.Contains("'PUBLIC KEY' block", publicKey.Message);
        Assert.Contains("could not be read", garbage.Message);
        Assert.DoesNotContain("bm90IGEga2V5", garbage.Message);
    }
}
