using RotationDashboard.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Core.Security;
using Microsoft.Extensions.Time.Testing;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.ApiTokens;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Security;

[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class ApiTokenTests : IClassFixture<ApiTokenTests.Factory>
{
    public const string Bootstrap = "5OZxplyBelL8NdX3G5Ifi/CQ/TAt0TPz3qP4SAmx904=";

    public sealed class Factory : DashboardAppFactory
    {
        public Factory()
        {
            Settings["Security:BootstrapToken"] = Bootstrap;
            ConfigureTestServices = services => services.AddSingleton<TimeProvider>(Clock);
        }

        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    }

    private readonly Factory _app;

    public ApiTokenTests(Factory app) => _app = app;

    private ApiTokenService Tokens => _app.Services.GetRequiredService<ApiTokenService>();

    private static DashboardUser Admin => DashboardUser.FromPrincipal(new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim(ClaimTypes.Email, "ada@sandbox.test"), new Claim(DashboardRoles.ClaimType, DashboardRoles.Admin)], "test")));

    private static DashboardUser Viewer => DashboardUser.FromPrincipal(new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim(ClaimTypes.Email, "victor@sandbox.test"), new Claim(DashboardRoles.ClaimType, DashboardRoles.Viewer)], "test")));

    private HttpClient ClientWith(string? token)
    {
        var client = _app.CreateClient(new() { AllowAutoRedirect = false });
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<string> IssueAsync(string name, params ApiTokenScope[] scopes)
    {
        var result = await Tokens.CreateAsync(name, scopes, _app.Clock.GetUtcNow().AddDays(30), Admin);
        Assert.True(result.Succeeded, result.ToString());
        return result.Value.Value;
    }

    [Fact]
    public async Task A_created_token_authenticates_and_its_last_use_is_recorded()
    {
        var token = await IssueAsync("ci-reader", new ApiTokenScope(ApiPermissions.RotationsRead));
        using var client = ClientWith(token);

        var response = await client.GetAsync("/api/v1/projects");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"slug\":\"default\"", await response.Content.ReadAsStringAsync());
        var listed = Assert.Single(await Tokens.ListAsync(), t => t.Name == "ci-reader");
        Assert.NotNull(listed.LastUsedAt);
    }

    [Fact]
    public async Task Unknown_revoked_and_expired_tokens_get_401_with_problem_details()
    {
        using (var unknown = ClientWith(ApiToken.ValuePrefix + "not-a-real-token"))
        {
            var response = await unknown.GetAsync("/api/v1/projects");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        var revoked = await IssueAsync("to-revoke", new ApiTokenScope(ApiPermissions.RotationsRead));
        using (var client = ClientWith(revoked))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/projects")).StatusCode);
            var id = (await Tokens.ListAsync()).Single(t => t.Name == "to-revoke").Id;
            Assert.True((await Tokens.RevokeAsync(id, Admin)).Succeeded);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/projects")).StatusCode);
        }

        var expiring = await IssueAsync("short-lived", new ApiTokenScope(ApiPermissions.RotationsRead));
        using (var client = ClientWith(expiring))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/projects")).StatusCode);
            _app.Clock.Advance(TimeSpan.FromDays(31));
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/projects")).StatusCode);
        }
    }

    [Fact]
    public async Task Token_scopes_decide_what_the_api_allows()
    {
        var reader = await IssueAsync("connections-reader", new ApiTokenScope(ApiPermissions.ConnectionsRead));
        var rotationsOnly = await IssueAsync("rotations-only", new ApiTokenScope(ApiPermissions.RotationsRead));
        const string body = """{"name":"scoped-token-test","method":"client-credentials","credentials":{"domain":"tenant.example.com","clientId":"x","clientSecret":"y"}}""";

        using (var client = ClientWith(reader))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/app-connections/auth0")).StatusCode);
            var write = await client.PostAsync("/api/v1/app-connections/auth0", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        }

        using (var client = ClientWith(rotationsOnly))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/app-connections/auth0")).StatusCode);
        }
    }

    [Fact]
    public async Task The_bootstrap_token_from_configuration_is_an_admin()
    {
        using var client = ClientWith(Bootstrap);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/projects")).StatusCode);
    }

    [Fact]
    public async Task A_viewer_cannot_create_or_revoke_tokens()
    {
        await Assert.ThrowsAsync<ForbiddenActionException>(() =>
            Tokens.CreateAsync("sneaky", [new ApiTokenScope(ApiPermissions.RotationsWrite)], null, Viewer));
        var id = (await Tokens.ListAsync()).FirstOrDefault()?.Id ?? Guid.NewGuid();
        await Assert.ThrowsAsync<ForbiddenActionException>(() => Tokens.RevokeAsync(id, Viewer));
    }

    [Fact]
    public async Task Invalid_token_requests_give_field_errors_and_create_nothing()
    {
        var before = (await Tokens.ListAsync()).Count;
        var result = await Tokens.CreateAsync("  ", [new ApiTokenScope("rotations:everything")], _app.Clock.GetUtcNow().AddDays(-1), Admin);

        Assert.False(result.Succeeded);
        Assert.Contains("name", result.Failure!.Errors.Keys);
        Assert.Contains("scopes[0].permission", result.Failure.Errors.Keys);
        Assert.Contains("expiresAt", result.Failure.Errors.Keys);
        Assert.Equal(before, (await Tokens.ListAsync()).Count);
    }

    [Fact]
    public async Task The_token_value_is_not_stored_in_plain_text()
    {
        var token = await IssueAsync("scan-me", new ApiTokenScope(ApiPermissions.SecretsRead, Environment: "prod", SecretPath: "/payments"));
        using var client = ClientWith(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/projects")).StatusCode);

        var needle = Encoding.UTF8.GetBytes(token);
        foreach (var file in Directory.GetFiles(_app.DataDirectory, "*.db*"))
        {
            byte[] bytes;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var memory = new MemoryStream())
            {
                await stream.CopyToAsync(memory);
                bytes = memory.ToArray();
            }
            Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"{Path.GetFileName(file)} contains the token value");
        }
    }

    [Fact]
    public async Task A_browser_session_must_send_an_antiforgery_token_for_unsafe_api_calls()
    {
        using var client = await SandboxSignIn.CreateSignedInClientAsync(_app.StartKestrel(), SandboxSignIn.Admin);
        client.DefaultRequestHeaders.Remove("X-CSRF-TOKEN");
        var response = await client.PostAsync("api/v1/projects", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Antiforgery", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(ApiPermissions.SecretsRead, "prod", "/payments", true)]
    [InlineData(ApiPermissions.SecretsRead, "prod", "/payments/stripe", true)]
    [InlineData(ApiPermissions.SecretsRead, "prod", "/", false)]
    [InlineData(ApiPermissions.SecretsRead, "prod", "/billing", false)]
    [InlineData(ApiPermissions.SecretsRead, "dev", "/payments", false)]
    [InlineData(ApiPermissions.RotationsRead, null, null, false)]
    public void A_path_scoped_token_reads_only_its_path(string permission, string? environment, string? path, bool allowed)
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(ApiTokenAuthenticationHandler.ScopesClaim,
                System.Text.Json.JsonSerializer.Serialize(new[] { new ApiTokenScope(ApiPermissions.SecretsRead, null, "prod", "/payments") })),
        ], ApiTokenAuthenticationHandler.SchemeName));

        Assert.Equal(allowed, ApiAccess.Allows(principal, permission, environment is null ? null : Guid.NewGuid(), environment, path));
    }
}
