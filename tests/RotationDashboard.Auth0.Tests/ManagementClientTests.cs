using RotationDashboard.Testing;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using RotationDashboard.Auth0.Tests.Infrastructure;
using static RotationDashboard.Auth0.Tests.Infrastructure.FakeAuth0Server;

namespace RotationDashboard.Auth0.Tests;

[Trait(TestKind.Trait, TestKind.Unit)]
public class ManagementClientTests
{
    [Fact]
    public async Task ListAllClients_pages_by_100_and_stops_on_total_without_an_extra_empty_page()
    {
        await using var server = await StartAsync();
        const int total = 250;
        server.On("GET", "api/v2/clients", async (request, context) =>
        {
            var query = QueryHelpers(request.Query);
            var page = int.Parse(query["page"]);
            var perPage = int.Parse(query["per_page"]);
            var clients = Enumerable.Range(page * perPage, Math.Max(0, Math.Min(perPage, total - page * perPage)))
                .Select(i => new { client_id = $"client-{i}", name = $"App {i}", app_type = "non_interactive", some_new_field = new { x = 1 } });
            await Json(200, new { start = page * perPage, limit = perPage, total, clients })(request, context);
        });
        await using var host = new Auth0TestHost();

        var all = await host.ClientFor(server).ListAllClientsAsync(new ListClientsRequest
        {
            AppTypes = ["non_interactive", "regular_web"],
            Fields = ["name", "app_type"],
        });

        Assert.Equal(total, all.Count);
        Assert.Equal("client-249", all[^1].ClientId);
        var requests = server.Find("GET", "api/v2/clients");
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Contains("per_page=100", r.Query);
            Assert.Contains("include_totals=true", r.Query);
            Assert.Contains("app_type=non_interactive,regular_web", r.Query);
            Assert.Contains("fields=name,app_type,client_id", r.Query); // needed to de-duplicate pages
        });
    }

    [Fact]
    public async Task ListAllClients_without_totals_stops_on_a_short_page()
    {
        await using var server = await StartAsync();
        server.On("GET", "api/v2/clients", async (request, context) =>
        {
            var page = int.Parse(QueryHelpers(request.Query)["page"]);
            var count = page == 0 ? 100 : 7;
            await Json(200, Enumerable.Range(0, count).Select(i => new { client_id = $"c-{page}-{i}" }))(request, context);
        });
        await using var host = new Auth0TestHost();

        var all = await host.ClientFor(server).ListAllClientsAsync();

        Assert.Equal(107, all.Count);
        Assert.Equal(2, server.Count("GET", "api/v2/clients"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ListAllClients_against_a_tenant_whose_pages_never_end_stops_at_the_cap_with_a_clear_error(bool withTotals)
    {
        // A hostile or broken tenant: every page is full of new clients and the total keeps growing past what was read.
        await using var server = await StartAsync();
        server.On("GET", "api/v2/clients", async (request, context) =>
        {
            var page = int.Parse(QueryHelpers(request.Query)["page"]);
            var clients = Enumerable.Range(0, 100).Select(i => new { client_id = $"c-{page}-{i}" }).ToList();
            if (withTotals)
                await Json(200, new { start = page * 100, limit = 100, total = (page + 2) * 100, clients })(request, context);
            else
                await Json(200, clients)(request, context);
        });
        await using var host = new Auth0TestHost();

        var error = await Assert.ThrowsAsync<Auth0ApiException>(
            () => host.ClientFor(server).ListAllClientsAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(100, server.Count("GET", "api/v2/clients")); // 100 pages of 100
        Assert.Contains("more than 10000 applications", error.Message);
        Assert.Equal("GET", error.Method);
        Assert.EndsWith("/api/v2/clients", error.Path);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task ListClients_sends_the_query_and_reads_the_totals_shape()
    {
        await using var server = await StartAsync();
        server.On("GET", "api/v2/clients", Json(200, """
            {"start":50,"limit":50,"total":51,"clients":[{"client_id":"a1","name":"Billing","description":"d","app_type":"regular_web",
             "global":false,"client_secret":"abc","token_endpoint_auth_method":"client_secret_post","jwt_configuration":{"alg":"RS256","lifetime_in_seconds":36000},
             "callbacks":["https://x"],"unknown":{"deep":[1,2]}}]}
            """));
        await using var host = new Auth0TestHost();

        var page = await host.ClientFor(server).ListClientsAsync(new ListClientsRequest
        {
            Page = 1,
            PerPage = 50,
            Fields = ["client_id", "name"],
            IncludeFields = true,
            IsGlobal = false,
        });

        Assert.Equal("?page=1&per_page=50&include_totals=true&fields=client_id,name&include_fields=true&is_global=false",
            Assert.Single(server.Find("GET", "api/v2/clients")).Query);
        Assert.Equal((50, 50, 51), (page.Start, page.Limit, page.Total));
        var client = Assert.Single(page.Clients);
        Assert.Equal(("a1", "Billing", "d", "regular_web", false), (client.ClientId, client.Name, client.Description, client.AppType, client.IsGlobal));
        Assert.Equal("abc", client.ClientSecret);
        Assert.Equal("client_secret_post", client.TokenEndpointAuthMethod);
        Assert.Equal("RS256", client.JwtConfiguration?.Alg);
        Assert.False(client.UsesPrivateKeyJwt);
    }

    [Theory]
    [InlineData(101)]
    [InlineData(0)]
    public async Task PerPage_above_100_is_refused_before_calling_Auth0(int perPage)
    {
        await using var server = await StartAsync();
        await using var host = new Auth0TestHost();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            host.ClientFor(server).ListClientsAsync(new ListClientsRequest { PerPage = perPage }));
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task GetClient_reads_private_key_jwt_credentials_and_escapes_the_id()
    {
        await using var server = await StartAsync();
        server.On("GET", "api/v2/clients/a%2Fb", Json(200, """
            {"client_id":"a/b","token_endpoint_auth_method":null,
             "client_authentication_methods":{"private_key_jwt":{"credentials":[{"id":"cred_1"},{"id":"cred_2"}]}}}
            """));
        await using var host = new Auth0TestHost();

        var client = await host.ClientFor(server).GetClientAsync("a/b", ["client_id", "client_authentication_methods"]);

        Assert.True(client.UsesPrivateKeyJwt);
        Assert.Equal(["cred_1", "cred_2"], client.PrivateKeyJwtCredentialIds);
        Assert.Null(client.TokenEndpointAuthMethod);
        Assert.Equal("?fields=client_id,client_authentication_methods&include_fields=true", server.Requests.Last().Query);
        await Assert.ThrowsAsync<ArgumentException>(() => host.ClientFor(server).GetClientAsync(".."));
    }

    [Fact]
    public async Task Patch_bodies_carry_explicit_nulls_and_omit_untouched_members_exactly()
    {
        await using var server = await StartAsync();
        server.On("PATCH", "api/v2/clients/app1", Json(200, """{"client_id":"app1","client_secret":"new-secret-value"}"""));
        await using var host = new Auth0TestHost();
        var client = host.ClientFor(server);

        var updated = await client.UpdateClientAsync("app1", ClientPatch.SetClientSecret("new-secret-value"));
        await client.UpdateClientAsync("app1", ClientPatch.UsePrivateKeyJwt(["cred_old", "cred_new"]));
        await client.UpdateClientAsync("app1", ClientPatch.UsePrivateKeyJwt(["cred_new"]));
        await client.UpdateClientAsync("app1", ClientPatch.UseClientSecret());
        await client.UpdateClientAsync("app1", new ClientPatch().WithTokenEndpointAuthMethod("client_secret_basic"));

        Assert.Equal("new-secret-value", updated.ClientSecret);
        var patches = server.Find("PATCH", "api/v2/clients/app1");
        Assert.All(patches, p => Assert.Equal("application/json", p.ContentType));
        Assert.Equal(
        [
            """{"client_secret":"new-secret-value"}""",
            """{"token_endpoint_auth_method":null,"client_authentication_methods":{"private_key_jwt":{"credentials":[{"id":"cred_old"},{"id":"cred_new"}]}}}""",
            """{"token_endpoint_auth_method":null,"client_authentication_methods":{"private_key_jwt":{"credentials":[{"id":"cred_new"}]}}}""",
            """{"token_endpoint_auth_method":"client_secret_post","client_authentication_methods":null}""",
            """{"token_endpoint_auth_method":"client_secret_basic"}""",
        ], patches.Select(p => p.Body));

        // Explicit null survives as a JSON null member, not as an absent one.
        var parsed = JsonNode.Parse(patches[1].Body)!.AsObject();
        Assert.True(parsed.ContainsKey("token_endpoint_auth_method"));
        Assert.Null(parsed["token_endpoint_auth_method"]);
    }

    [Fact]
    public void Patch_refuses_mutually_exclusive_values_and_bad_methods()
    {
        var both = new ClientPatch().WithTokenEndpointAuthMethod("client_secret_post").WithPrivateKeyJwtCredentials(["c1"]);

        Assert.Throws<InvalidOperationException>(() => both.ToJson());
        Assert.Throws<ArgumentException>(() => new ClientPatch().WithTokenEndpointAuthMethod("private_key_jwt"));
        Assert.Throws<ArgumentException>(() => ClientPatch.UsePrivateKeyJwt(["c1", "c1"]));
        Assert.True(new ClientPatch().IsEmpty);
        Assert.Equal("ClientPatch { token_endpoint_auth_method = null, client_authentication_methods = private_key_jwt [c1, c2] }",
            ClientPatch.UsePrivateKeyJwt(["c1", "c2"]).ToString());
    }

    [Fact]
    public async Task RotateSecret_posts_without_a_body_and_returns_the_new_secret()
    {
        await using var server = await StartAsync();
        server.On("POST", "api/v2/clients/app1/rotate-secret", Json(200, """{"client_id":"app1","client_secret":"generated-by-auth0"}"""));
        await using var host = new Auth0TestHost();

        var rotated = await host.ClientFor(server).RotateClientSecretAsync("app1");

        Assert.Equal("generated-by-auth0", rotated.ClientSecret);
        Assert.Equal("", Assert.Single(server.Find("POST", "api/v2/clients/app1/rotate-secret")).Body);
        Assert.DoesNotContain("generated-by-auth0", rotated.ToString());
    }

    [Fact]
    public async Task Credentials_list_create_get_patch_and_delete()
    {
        await using var server = await StartAsync();
        const string credential = """
            {"id":"cred_1","credential_type":"public_key","kid":"kid-1234567890","alg":"RS256","name":"2026-Q3",
             "created_at":"2026-11-21T10:00:00.000Z","updated_at":"2026-11-21T10:00:00.000Z","expires_at":"2027-01-01T00:00:00.000Z","subject_dn":null}
            """;
        server.On("GET", "api/v2/clients/app1/credentials", Json(200, $"[{credential}]"));
        server.On("POST", "api/v2/clients/app1/credentials", Json(201, credential));
        server.On("GET", "api/v2/clients/app1/credentials/cred_1", Json(200, credential));
        server.On("PATCH", "api/v2/clients/app1/credentials/cred_1", Json(200, credential));
        server.Script("DELETE", "api/v2/clients/app1/credentials/cred_1",
            Json(204, ""),
            ManagementError(404, "Not Found", "The credential does not exist", "inexistent_credential"));
        await using var host = new Auth0TestHost();
        var client = host.ClientFor(server);
        var keys = TestKeys.First;

        var listed = Assert.Single(await client.ListClientCredentialsAsync("app1"));
        var created = await client.CreateClientCredentialAsync("app1", new NewClientCredential(keys.PublicKeyPem, "2026-Q3")
        {
            ExpiresAt = DateTimeOffset.Parse("2027-01-01T00:00:00Z"),
        });
        var fetched = await client.GetClientCredentialAsync("app1", "cred_1");
        await client.UpdateClientCredentialExpiryAsync("app1", "cred_1", DateTimeOffset.Parse("2027-02-01T12:30:00+02:00"));
        var deleted = await client.DeleteClientCredentialAsync("app1", "cred_1");
        var deletedAgain = await client.DeleteClientCredentialAsync("app1", "cred_1");

        Assert.Equal("cred_1", listed.Id);
        Assert.Equal(("public_key", "kid-1234567890", "RS256", "2026-Q3"), (created.CredentialType, created.Kid, created.Alg, created.Name));
        Assert.Equal(DateTimeOffset.Parse("2027-01-01T00:00:00Z"), fetched.ExpiresAt);
        Assert.Equal(DateTimeOffset.Parse("2026-11-21T10:00:00Z"), fetched.CreatedAt);
        Assert.True(deleted);
        Assert.False(deletedAgain);

        var createBody = JsonDocument.Parse(Assert.Single(server.Find("POST", "api/v2/clients/app1/credentials")).Body).RootElement;
        Assert.Equal("public_key", createBody.GetProperty("credential_type").GetString());
        Assert.Equal(keys.PublicKeyPem, createBody.GetProperty("pem").GetString());
        Assert.Equal("RS256", createBody.GetProperty("alg").GetString());
        Assert.Equal("2026-Q3", createBody.GetProperty("name").GetString());
        Assert.StartsWith("2027-01-01T00:00:00", createBody.GetProperty("expires_at").GetString());
        Assert.False(createBody.TryGetProperty("kid", out _));
        Assert.False(createBody.TryGetProperty("parse_expiry_from_cert", out _));

        Assert.Equal("""{"expires_at":"2027-02-01T10:30:00.000Z"}""",
            Assert.Single(server.Find("PATCH", "api/v2/clients/app1/credentials/cred_1")).Body);
    }

    [Fact]
    public void New_credential_validation_follows_the_documented_rules()
    {
        Assert.Throws<ArgumentException>(() => new NewClientCredential("pem") { ExpiresAt = DateTimeOffset.UtcNow, ParseExpiryFromCert = true }.Validate());
        Assert.Throws<ArgumentException>(() => new NewClientCredential("pem", alg: "HS256").Validate());
        Assert.Throws<ArgumentException>(() => new NewClientCredential("pem") { Kid = "short" }.Validate());
        new NewClientCredential("pem", alg: "PS256") { Kid = "abcDEF-123_xyz" }.Validate();
    }

    [Fact]
    public async Task Errors_map_Management_bodies_to_Auth0ApiException()
    {
        await using var server = await StartAsync();
        server.On("GET", "api/v2/clients/missing", ManagementError(404, "Not Found", "The client does not exist", "inexistent_client"));
        server.On("PATCH", "api/v2/clients/app1", ManagementError(403, "Forbidden", "Insufficient scope, expected any of: update:client_keys", "insufficient_scope"));
        await using var host = new Auth0TestHost();
        var client = host.ClientFor(server);

        var notFound = await Assert.ThrowsAsync<Auth0ApiException>(() => client.GetClientAsync("missing"));
        var forbidden = await Assert.ThrowsAsync<Auth0ApiException>(() => client.UpdateClientAsync("app1", ClientPatch.SetClientSecret("x".PadLeft(48, 'x'))));

        Assert.True(notFound.IsNotFound);
        Assert.Equal(("Not Found", "inexistent_client", "The client does not exist"), (notFound.Error, notFound.ErrorCode, notFound.ApiMessage));
        Assert.Equal("GET", notFound.Method);
        Assert.Equal("/api/v2/clients/missing", notFound.Path);
        Assert.Equal("Auth0 GET /api/v2/clients/missing failed: 404 Not Found: (inexistent_client) The client does not exist.", notFound.Message);
        Assert.True(forbidden.IsInsufficientScope);
        Assert.Equal(1, forbidden.Attempts);
    }

    [Fact]
    public async Task Works_against_a_tenant_mounted_under_a_path_base()
    {
        await using var server = await StartAsync("sandbox-tenant");
        server.On("GET", "api/v2/clients/app1", Json(200, """{"client_id":"app1"}"""));
        await using var host = new Auth0TestHost();

        var client = await host.ClientFor(server).GetClientAsync("app1");

        Assert.Equal("app1", client.ClientId);
        Assert.EndsWith("/sandbox-tenant/", server.BaseUrl.AbsoluteUri);
        Assert.Equal(server.BaseUrl + "api/v2/", Assert.Single(server.Find("POST", "oauth/token")).Form["audience"]);
    }

    [Fact]
    public async Task A_body_that_is_not_the_expected_JSON_gives_a_clear_error()
    {
        await using var server = await StartAsync();
        server.On("GET", "api/v2/clients/app1", async (_, context) =>
        {
            context.Response.StatusCode = 200;
            await context.Response.WriteAsync("<html>proxy</html>");
        });
        await using var host = new Auth0TestHost();

        var error = await Assert.ThrowsAsync<Auth0ApiException>(() => host.ClientFor(server).GetClientAsync("app1"));

        Assert.Contains("not the expected JSON", error.Message);
        Assert.Equal(HttpStatusCode.OK, error.StatusCode);
    }

    private static Dictionary<string, string> QueryHelpers(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
}
