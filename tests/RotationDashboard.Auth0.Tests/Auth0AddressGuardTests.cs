using RotationDashboard.Testing;
using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace RotationDashboard.Auth0.Tests;

[Trait(TestKind.Trait, TestKind.Integration)]
public class Auth0AddressGuardTests
{
    [Theory]
    [InlineData("127.0.0.1", AddressScope.Loopback)]
    [InlineData("127.255.0.9", AddressScope.Loopback)]
    [InlineData("10.0.0.1", AddressScope.Private)]
    [InlineData("10.255.255.255", AddressScope.Private)]
    [InlineData("172.16.0.1", AddressScope.Private)]
    [InlineData("172.31.255.1", AddressScope.Private)]
    [InlineData("192.168.1.10", AddressScope.Private)]
    [InlineData("169.254.169.254", AddressScope.LinkLocal)]
    [InlineData("100.64.0.1", AddressScope.SharedAddressSpace)]
    [InlineData("0.0.0.0", AddressScope.Unspecified)]
    [InlineData("224.0.0.1", AddressScope.Multicast)]
    [InlineData("255.255.255.255", AddressScope.Reserved)]
    [InlineData("::1", AddressScope.Loopback)]
    [InlineData("::", AddressScope.Unspecified)]
    [InlineData("fc00::1", AddressScope.Private)]
    [InlineData("fd12:3456:789a::1", AddressScope.Private)]
    [InlineData("fe80::1", AddressScope.LinkLocal)]
    [InlineData("ff02::1", AddressScope.Multicast)]
    [InlineData("::ffff:10.1.2.3", AddressScope.Private)]
    [InlineData("::ffff:127.0.0.1", AddressScope.Loopback)]
    [InlineData("64:ff9b::a9fe:a9fe", AddressScope.LinkLocal)]
    [InlineData("2002:0a00:0001::1", AddressScope.Private)]
    [InlineData("::ffff:0:10.1.2.3", AddressScope.Private)]
    [InlineData("::ffff:0:127.0.0.1", AddressScope.Loopback)]
    [InlineData("::ffff:0:169.254.169.254", AddressScope.LinkLocal)]
    [InlineData("64:ff9b:1::a00:1", AddressScope.Private)]
    [InlineData("64:ff9b:1:ffff::1", AddressScope.Private)]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", AddressScope.Reserved)]
    [InlineData("2001:4860:4860::8888", AddressScope.Public)]
    [InlineData("8.8.8.8", AddressScope.Public)]
    [InlineData("172.32.0.1", AddressScope.Public)]
    [InlineData("100.128.0.1", AddressScope.Public)]
    [InlineData("2606:4700:4700::1111", AddressScope.Public)]
    [InlineData("::ffff:8.8.8.8", AddressScope.Public)]
    public void Classifies_ipv4_and_ipv6_addresses(string address, AddressScope expected)
    {
        Assert.Equal(expected, Auth0AddressGuard.Classify(IPAddress.Parse(address)));
        Assert.Equal(expected == AddressScope.Public, Auth0AddressGuard.IsPublic(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    [InlineData("localhost")]
    public async Task Loopback_hosts_are_not_public(string host)
    {
        var check = await Auth0AddressGuard.CheckHostAsync(host);

        Assert.False(check.IsPublic);
        Assert.NotEmpty(check.NonPublicAddresses);
        Assert.Contains("non-public", check.Describe());
    }

    [Fact]
    public async Task Checks_a_tenant_address()
    {
        var check = await Auth0AddressGuard.CheckAsync(Auth0TenantAddress.Parse("http://127.0.0.1:5000/sandbox-tenant/"));

        Assert.False(check.IsPublic);
        Assert.Equal(AddressScope.Loopback, Assert.Single(check.NonPublicAddresses).Scope);
    }

    [Fact]
    public void A_host_resolving_to_public_and_private_addresses_is_not_public()
    {
        var check = Auth0AddressGuard.Check("mixed.example", [IPAddress.Parse("8.8.8.8"), IPAddress.Parse("10.0.0.5")]);

        Assert.False(check.IsPublic);
        Assert.Equal(IPAddress.Parse("10.0.0.5"), Assert.Single(check.NonPublicAddresses).Address);
        Assert.True(Auth0AddressGuard.Check("public.example", [IPAddress.Parse("8.8.8.8")]).IsPublic);
        Assert.False(Auth0AddressGuard.Check("nothing.example", []).IsPublic);
    }
}

[Trait(TestKind.Trait, TestKind.Integration)]
public class Auth0AddressGuardConnectTests
{
    private static Auth0AddressGuard.HostResolver Resolving(params string[] addresses) =>
        (_, _) => Task.FromResult(addresses.Select(IPAddress.Parse).ToArray());

    [Fact]
    public async Task A_name_resolving_to_internal_addresses_is_refused_without_naming_the_addresses()
    {
        var check = await Auth0AddressGuard.CheckHostAsync("tenant.example.com", Resolving("8.8.8.8", "10.1.2.3", "::ffff:0:127.0.0.1"));

        Assert.False(check.IsPublic);
        Assert.Equal([AddressScope.Loopback, AddressScope.Private], check.NonPublicScopes);
        Assert.Contains("non-public", check.Describe());
        Assert.DoesNotContain("10.1.2.3", check.Describe());
        Assert.DoesNotContain("127.0.0.1", check.Describe());
    }

    [Fact]
    public async Task The_connect_guard_checks_the_stub_resolved_address_and_its_refusal_names_no_address()
    {
        using var handler = new System.Net.Http.SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = Auth0AddressGuard.CreateConnectCallback(_ => false, Resolving("64:ff9b:1::a00:5")),
        };
        using var client = new HttpClient(handler);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("http://tenant.example.com/oauth/token"));

        var refused = Assert.IsType<Auth0AddressRefusedException>(error.InnerException);
        Assert.Contains("Private", refused.Message);
        Assert.DoesNotContain("64:ff9b", refused.Message);
    }

    [Fact]
    public void Auth0_calls_ignore_the_system_proxy_so_the_guard_checks_the_tenant_not_the_proxy()
    {
        using var services = new ServiceCollection().AddAuth0Client(o => o.BlockNonPublicAddresses = true).BuildServiceProvider();

        HttpMessageHandler handler = services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(Auth0ServiceCollectionExtensions.HttpClientName);
        while (handler is DelegatingHandler delegating) handler = delegating.InnerHandler!;

        var primary = Assert.IsType<System.Net.Http.SocketsHttpHandler>(handler);
        Assert.False(primary.UseProxy);
        Assert.NotNull(primary.ConnectCallback);
    }

    [Fact]
    public async Task Blocking_refuses_loopback_tenants_without_retrying()
    {
        await using var server = await Infrastructure.FakeAuth0Server.StartAsync();
        await using var host = new Infrastructure.Auth0TestHost(o => o.BlockNonPublicAddresses = true);

        var error = await Assert.ThrowsAsync<Auth0ApiException>(() => host.ClientFor(server).GetGrantedScopesAsync());
        var check = await host.TokenClient.RequestTokenWithSecretAsync(server.Tenant, "app1", "secret");

        Assert.Empty(server.Requests);
        Assert.False(error.IsTransient);
        Assert.Equal(1, error.Attempts);
        Assert.Contains("Refusing to connect to Auth0", error.Message);
        Assert.Contains("Loopback", error.Message);
        Assert.IsType<Auth0AddressRefusedException>(error.InnerException);
        Assert.Equal(TokenCheckOutcome.Rejected, check.Outcome);
        Assert.Equal("address_refused", check.Check.Error);
    }

    [Fact]
    public async Task An_explicitly_allowed_host_connects()
    {
        await using var server = await Infrastructure.FakeAuth0Server.StartAsync();
        await using var host = new Infrastructure.Auth0TestHost(o =>
        {
            o.BlockNonPublicAddresses = true;
            o.AllowedNonPublicHosts = ["127.0.0.1"];
        });

        var scopes = await host.ClientFor(server).GetGrantedScopesAsync();

        Assert.NotEmpty(scopes);
    }
}
