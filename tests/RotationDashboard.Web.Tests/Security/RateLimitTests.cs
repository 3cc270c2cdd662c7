using RotationDashboard.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Security;

/// <summary>Sign-in starts and failed API authentications are limited per client address (behind a configured proxy).</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class RateLimitTests : IClassFixture<RateLimitTests.Factory>
{
    public sealed class Factory : DashboardAppFactory
    {
        public Factory()
        {
            Settings["RateLimits:SignIn:PermitLimit"] = "3";
            Settings["RateLimits:FailedApiAuthentication:PermitLimit"] = "3";
            Settings["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1";
            UseBootstrapToken();
        }
    }

    private readonly Factory _app;

    public RateLimitTests(Factory app)
    {
        _app = app;
        _app.StartKestrel();
    }

    [Fact]
    public async Task Sign_in_starts_over_the_limit_get_429_with_retry_after_for_that_address_only()
    {
        using var client = _app.CreateClient(new() { AllowAutoRedirect = false });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++) statuses.Add((await SendAsync(client, "account/signin", "203.0.113.10")).StatusCode);
        using var limited = await SendAsync(client, "account/signin", "203.0.113.10");
        using var otherAddress = await SendAsync(client, "account/signin", "203.0.113.11");

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Redirect, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        Assert.Equal(HttpStatusCode.Redirect, otherAddress.StatusCode);
    }

    [Fact]
    public async Task After_repeated_failed_api_authentications_the_address_gets_429_even_with_a_valid_token()
    {
        using var client = _app.CreateClient(new() { AllowAutoRedirect = false });

        var failures = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++) failures.Add((await SendAsync(client, "api/v1/projects", "203.0.113.20", "rdt_guessed" + i)).StatusCode);
        using var blocked = await SendAsync(client, "api/v1/projects", "203.0.113.20", Factory.BootstrapToken);
        using var otherAddress = await SendAsync(client, "api/v1/projects", "203.0.113.21", Factory.BootstrapToken);

        Assert.All(failures, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.True(blocked.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        Assert.DoesNotContain(Factory.BootstrapToken, await blocked.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, otherAddress.StatusCode);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string path, string clientAddress, string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Forwarded-For", clientAddress);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }
}
