using RotationDashboard.Testing;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Services.MachineIdentities;
using RotationDashboard.Web.Services.Secrets;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Api;

/// <summary>
/// Contract tests of the Infisical-compatible routes against upstream's shapes: Universal Auth login and renew, the
/// v3/v4 secrets read API (with API tokens and machine identities' access tokens), the machine identity admin API;
/// and bad input to each: a 4xx problem, nothing written.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
[Collection(ApiAppCollection.Name)]
public sealed class InfisicalUniversalAuthAndSecretsTests(ApiAppFactory app)
{
    private const string Login = "api/v1/auth/universal-auth/login";
    private const string Renew = "api/v1/auth/token/renew";

    [Fact]
    public async Task Universal_auth_login_and_renew_answer_upstreams_shape()
    {
        var (_, clientId, clientSecret) = await CreateIdentityAsync("contract-login", new ApiTokenScope(ApiPermissions.SecretsRead));
        using var anonymous = app.Client(token: null);

        var login = await anonymous.PostJsonTextAsync(Login, JsonSerializer.Serialize(new { clientId, clientSecret }));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var body = await login.JsonAsync();
        Assert.Equal(["accessToken", "expiresIn", "accessTokenMaxTTL", "tokenType"], body.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(JsonValueKind.String, body.GetProperty("accessToken").ValueKind);
        Assert.Equal(3600, body.GetProperty("expiresIn").GetInt32());
        Assert.Equal(86400, body.GetProperty("accessTokenMaxTTL").GetInt32());
        Assert.Equal("Bearer", body.GetProperty("tokenType").GetString());
        Assert.Equal("no-store", login.Headers.CacheControl?.ToString());
        var accessToken = body.GetProperty("accessToken").GetString()!;

        var renewed = await anonymous.PostJsonTextAsync(Renew, JsonSerializer.Serialize(new { accessToken }));
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        var renewal = await renewed.JsonAsync();
        Assert.Equal(accessToken, renewal.GetProperty("accessToken").GetString());
        Assert.InRange(renewal.GetProperty("expiresIn").GetInt32(), 3590, 3600);
        Assert.Equal(86400, renewal.GetProperty("accessTokenMaxTTL").GetInt32());
        Assert.Equal("Bearer", renewal.GetProperty("tokenType").GetString());

        await using var db = await app.CreateContextAsync();
        var audit = await db.AuditEvents.Where(e => e.Action == AuditActions.MachineIdentityLogin && e.TargetName == "contract-login").ToListAsync();
        Assert.Single(audit);
        Assert.DoesNotContain(clientSecret, audit[0].Details ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain(accessToken, audit[0].Details ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_read_api_answers_infisicals_fields_for_api_tokens_and_access_tokens_on_v3_and_v4()
    {
        var projectId = await app.ProjectIdAsync();
        await SecretAsync("/contract", "CONTRACT_A", "value-a");
        await SecretAsync("/contract", "CONTRACT_B", "value-b");
        await SecretAsync("/contract/deeper", "CONTRACT_DEEP", "value-deep");
        var scope = new ApiTokenScope(ApiPermissions.SecretsRead, projectId, "dev", "/contract");
        var accessToken = await AccessTokenAsync("contract-read", scope);
        var apiToken = await app.IssueTokenAsync("contract-read", scope);

        foreach (var token in new[] { accessToken, apiToken })
        {
            using var client = app.Client(token);
            foreach (var (list, projectParameter) in new[] { ("api/v3/secrets/raw", "workspaceId"), ("api/v4/secrets", "projectId") })
            {
                var query = $"{projectParameter}={projectId}&environment=dev&secretPath=/contract";
                var listed = await client.GetAsync($"{list}?{query}&expandSecretReferences=true&include_imports=false&recursive=false&viewSecretValue=true");
                Assert.True(listed.StatusCode == HttpStatusCode.OK, await listed.Content.ReadAsStringAsync());
                var body = await listed.JsonAsync();
                Assert.Equal(JsonValueKind.Array, body.GetProperty("imports").ValueKind);
                var secrets = body.GetProperty("secrets").EnumerateArray().ToList();
                Assert.Equal(["CONTRACT_A", "CONTRACT_B"], secrets.Select(s => s.GetProperty("secretKey").GetString()!).ToArray());
                AssertSecretShape(secrets[0], projectId, "/contract", "value-a");

                var recursive = await (await client.GetAsync($"{list}?{query}&recursive=true")).JsonAsync();
                Assert.Contains(recursive.GetProperty("secrets").EnumerateArray(),
                    s => s.GetProperty("secretKey").GetString() == "CONTRACT_DEEP" && s.GetProperty("secretPath").GetString() == "/contract/deeper");

                var hidden = await (await client.GetAsync($"{list}?{query}&viewSecretValue=false")).JsonAsync();
                Assert.All(hidden.GetProperty("secrets").EnumerateArray(), s =>
                {
                    Assert.Equal("<hidden-by-infisical>", s.GetProperty("secretValue").GetString());
                    Assert.True(s.GetProperty("secretValueHidden").GetBoolean());
                });

                var one = await client.GetAsync($"{list}/CONTRACT_B?{query}&type=shared&secretName=CONTRACT_B&includeImports=false");
                Assert.True(one.StatusCode == HttpStatusCode.OK, await one.Content.ReadAsStringAsync());
                AssertSecretShape((await one.JsonAsync()).GetProperty("secret"), projectId, "/contract", "value-b");

                await (await client.GetAsync($"{list}/NO_SUCH_SECRET?{query}")).AssertProblemAsync(404);
                await (await client.GetAsync($"{list}/CONTRACT_B?{query}&type=personal")).AssertProblemAsync(404);
                // Outside the caller's path: refused, and nothing of it shown.
                var outside = await client.GetAsync($"{list}?{projectParameter}={projectId}&environment=dev&secretPath=/");
                Assert.DoesNotContain("value-", (await outside.AssertProblemAsync(403)).ToString(), StringComparison.Ordinal);
                await (await client.GetAsync($"{list}?{projectParameter}={projectId}&environment=prod&secretPath=/contract")).AssertProblemAsync(403);
            }
        }

        // Reads are audited without values.
        await using var db = await app.CreateContextAsync();
        var reads = await db.AuditEvents.Where(e => e.Action == AuditActions.SecretConsumerRead && e.TargetName!.StartsWith("CONTRACT_")).ToListAsync();
        Assert.Contains(reads, e => e.ActorName.StartsWith(MachineIdentity.ActorName("contract-read"), StringComparison.Ordinal));
        Assert.All(reads, e => Assert.DoesNotContain("value-", e.Details ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_revoked_identity_or_client_secret_ends_its_access_tokens_and_logins()
    {
        var (identityId, clientId, clientSecret) = await CreateIdentityAsync("contract-revoke", new ApiTokenScope(ApiPermissions.SecretsRead));
        var projectId = await app.ProjectIdAsync();
        await SecretAsync("/", "CONTRACT_ROOT", "root-value");
        using var anonymous = app.Client(token: null);
        var accessToken = (await (await anonymous.PostJsonTextAsync(Login, JsonSerializer.Serialize(new { clientId, clientSecret }))).JsonAsync())
            .GetProperty("accessToken").GetString()!;
        using var client = app.Client(accessToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"api/v3/secrets/raw/CONTRACT_ROOT?workspaceId={projectId}&environment=dev")).StatusCode);

        Assert.True((await app.Get<MachineIdentityService>().RevokeAsync(identityId, ApiAppFactory.Admin)).Succeeded);
        await (await client.GetAsync($"api/v3/secrets/raw/CONTRACT_ROOT?workspaceId={projectId}&environment=dev")).AssertProblemAsync(401);
        await (await anonymous.PostJsonTextAsync(Login, JsonSerializer.Serialize(new { clientId, clientSecret }))).AssertProblemAsync(401);
        await (await anonymous.PostJsonTextAsync(Renew, JsonSerializer.Serialize(new { accessToken }))).AssertProblemAsync(400);
    }

    [Fact]
    public async Task A_machine_identity_is_never_an_admin_and_its_token_cannot_manage_identities()
    {
        var accessToken = await AccessTokenAsync("contract-not-admin", ApiPermissions.All.Select(p => new ApiTokenScope(p)).ToArray());
        using var client = app.Client(accessToken);
        await (await client.GetAsync("api/v1/identities")).AssertProblemAsync(403);
        await (await client.PostJsonTextAsync("api/v1/identities", """{"name": "minted", "scopes": [{"permission": "secrets:read"}]}""")).AssertProblemAsync(403);
        using var bootstrap = app.Client();
        await (await bootstrap.GetAsync("api/v1/identities")).AssertProblemAsync(403);
    }

    [Fact]
    public async Task An_admin_session_manages_identities_and_client_secrets_through_the_api()
    {
        using var admin = await SandboxSignIn.CreateSignedInClientAsync(app.Address, SandboxSignIn.Admin);
        var created = await admin.PostJsonTextAsync("api/v1/identities",
            """{"name": "contract-api", "scopes": [{"permission": "secrets:read", "environment": "dev", "secretPath": "/contract"}], "accessTokenTTL": 600, "accessTokenMaxTTL": 1200}""");
        Assert.True(created.StatusCode == HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
        var identity = (await created.JsonAsync()).GetProperty("identity");
        Assert.Equal(600, identity.GetProperty("accessTokenTTL").GetInt32());
        Assert.Equal(1200, identity.GetProperty("accessTokenMaxTTL").GetInt32());
        Assert.True(Guid.TryParse(identity.GetProperty("clientId").GetString(), out _));
        var id = identity.GetProperty("id").GetString();

        var secret = await admin.PostJsonTextAsync($"api/v1/auth/universal-auth/identities/{id}/client-secrets", """{"description": "ci"}""");
        Assert.True(secret.StatusCode == HttpStatusCode.OK, await secret.Content.ReadAsStringAsync());
        var issued = await secret.JsonAsync();
        var value = issued.GetProperty("clientSecret").GetString()!;
        Assert.StartsWith("rdcs_", value);
        Assert.Equal("ci", issued.GetProperty("clientSecretData").GetProperty("description").GetString());

        var listed = await (await admin.GetAsync($"api/v1/auth/universal-auth/identities/{id}/client-secrets")).JsonAsync();
        Assert.DoesNotContain(value, listed.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(value[5..], (await (await admin.GetAsync("api/v1/identities")).JsonAsync()).ToString(), StringComparison.Ordinal);

        var secretId = issued.GetProperty("clientSecretData").GetProperty("id").GetString();
        var revoked = await admin.PostAsync($"api/v1/auth/universal-auth/identities/{id}/client-secrets/{secretId}/revoke", null);
        Assert.True((await revoked.JsonAsync()).GetProperty("clientSecretData").GetProperty("isClientSecretRevoked").GetBoolean());
        using var anonymous = app.Client(token: null);
        await (await anonymous.PostJsonTextAsync(Login, JsonSerializer.Serialize(new { clientId = identity.GetProperty("clientId").GetString(), clientSecret = value })))
            .AssertProblemAsync(401);

        var deleted = await admin.DeleteAsync($"api/v1/identities/{id}");
        Assert.False((await deleted.JsonAsync()).GetProperty("identity").GetProperty("isActive").GetBoolean());
    }

    [Fact]
    public async Task Bad_input_to_every_new_route_is_a_clear_4xx_problem_and_writes_nothing()
    {
        var projectId = await app.ProjectIdAsync();
        var (_, clientId, _) = await CreateIdentityAsync("contract-bad", new ApiTokenScope(ApiPermissions.SecretsRead));
        using var admin = await SandboxSignIn.CreateSignedInClientAsync(app.Address, SandboxSignIn.Admin);
        using var anonymous = app.Client(token: null);
        using var client = app.Client();
        var before = await CountsAsync();

        async Task Expect(Task<HttpResponseMessage> call, int status, string? field = null)
        {
            var problem = await (await call).AssertProblemAsync(status);
            if (field is not null)
            {
                Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
            }
        }

        await Expect(anonymous.PostJsonTextAsync(Login, "{}"), 400, "clientId");
        await Expect(anonymous.PostJsonTextAsync(Login, JsonSerializer.Serialize(new { clientId })), 400, "clientSecret");
        await Expect(anonymous.PostJsonTextAsync(Login, JsonSerializer.Serialize(new { clientId, clientSecret = "rdcs_wrong" })), 401);
        await Expect(anonymous.PostJsonTextAsync(Login, JsonSerializer.Serialize(new { clientId = "nobody", clientSecret = "x" })), 401);
        await Expect(anonymous.PostJsonTextAsync(Login, """{"clientId": 5}"""), 400);
        await Expect(anonymous.PostAsync(Login, new StringContent("clientId=a")), 415);
        await Expect(anonymous.PostJsonTextAsync(Renew, "{}"), 400, "accessToken");
        await Expect(anonymous.PostJsonTextAsync(Renew, """{"accessToken": "rdat_unknown"}"""), 400, "accessToken");

        foreach (var (list, p) in new[] { ("api/v3/secrets/raw", "workspaceId"), ("api/v4/secrets", "projectId") })
        {
            await Expect(client.GetAsync($"{list}?environment=dev"), 400, p);
            await Expect(client.GetAsync($"{list}?{p}=not-a-uuid&environment=dev"), 400, p);
            await Expect(client.GetAsync($"{list}?{p}={projectId}"), 400, "environment");
            await Expect(client.GetAsync($"{list}?{p}={projectId}&environment=dev&recursive=maybe"), 400, "recursive");
            await Expect(client.GetAsync($"{list}?{p}={projectId}&environment=dev&viewSecretValue=yes"), 400, "viewSecretValue");
            await Expect(client.GetAsync($"{list}?{p}={projectId}&environment=dev&secretPath=no-slash/.."), 400, "secretPath");
            await Expect(client.GetAsync($"{list}/A?{p}={projectId}&environment=dev&type=team"), 400, "type");
            await Expect(client.GetAsync($"{list}/A?{p}={projectId}&environment=dev&version=0"), 400, "version");
        }

        await Expect(admin.PostJsonTextAsync("api/v1/identities", """{"name": "", "scopes": [], "accessTokenTTL": 5}"""), 400, "name");
        await Expect(admin.PostJsonTextAsync("api/v1/identities", """{"name": "x", "scopes": [{"permission": "everything"}]}"""), 400, "scopes[0].permission");
        await Expect(admin.PostJsonTextAsync("api/v1/identities",
            """{"name": "x", "scopes": [{"permission": "secrets:read"}], "accessTokenTTL": 7200, "accessTokenMaxTTL": 60}"""), 400, "accessTokenMaxTTL");
        await Expect(admin.PostJsonTextAsync($"api/v1/auth/universal-auth/identities/{Guid.NewGuid()}/client-secrets", "{}"), 404);
        await Expect(admin.PostJsonTextAsync($"api/v1/auth/universal-auth/identities/{Guid.NewGuid()}/client-secrets", """{"ttl": -1}"""), 400, "ttl");
        await Expect(admin.PostAsync($"api/v1/auth/universal-auth/identities/{Guid.NewGuid()}/client-secrets/{Guid.NewGuid()}/revoke", null), 404);
        await Expect(admin.DeleteAsync($"api/v1/identities/{Guid.NewGuid()}"), 404);

        Assert.Equal(before, await CountsAsync());
    }

    private static void AssertSecretShape(JsonElement secret, Guid projectId, string path, string value)
    {
        foreach (var (name, kind) in new (string, JsonValueKind)[]
                 {
                     ("id", JsonValueKind.String), ("_id", JsonValueKind.String), ("workspace", JsonValueKind.String), ("environment", JsonValueKind.String),
                     ("version", JsonValueKind.Number), ("type", JsonValueKind.String), ("secretKey", JsonValueKind.String), ("secretValue", JsonValueKind.String),
                     ("secretComment", JsonValueKind.String), ("skipMultilineEncoding", JsonValueKind.False), ("createdAt", JsonValueKind.String),
                     ("updatedAt", JsonValueKind.String), ("secretPath", JsonValueKind.String), ("secretValueHidden", JsonValueKind.False),
                     ("secretMetadata", JsonValueKind.Array), ("tags", JsonValueKind.Array), ("isRotatedSecret", JsonValueKind.False),
                     ("rotationId", JsonValueKind.Null), ("secretReminderNote", JsonValueKind.Null), ("secretReminderRepeatDays", JsonValueKind.Null),
                 })
        {
            Assert.True(secret.TryGetProperty(name, out var member), $"{name} missing from {secret}");
            Assert.True(member.ValueKind == kind, $"{name} is {member.ValueKind}, expected {kind}");
        }

        Assert.Equal(secret.GetProperty("id").GetString(), secret.GetProperty("_id").GetString());
        Assert.Equal(projectId.ToString(), secret.GetProperty("workspace").GetString());
        Assert.Equal("dev", secret.GetProperty("environment").GetString());
        Assert.Equal("shared", secret.GetProperty("type").GetString());
        Assert.Equal(path, secret.GetProperty("secretPath").GetString());
        Assert.Equal(value, secret.GetProperty("secretValue").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", secret.GetProperty("createdAt").GetString());
    }

    private async Task SecretAsync(string path, string key, string value)
    {
        await app.EnsureFolderAsync("dev", path);
        var store = app.Get<SecretStoreService>();
        var folder = await store.FindFolderAsync(await app.ProjectIdAsync(), "dev", path);
        if ((await store.ListSecretsAsync(folder!.Id)).All(s => s.Key != key))
        {
            Assert.True((await store.CreateSecretAsync(folder.Id, key, value, ApiAppFactory.Admin.Actor)).Succeeded);
        }
    }

    private async Task<(Guid Id, string ClientId, string ClientSecret)> CreateIdentityAsync(string name, params ApiTokenScope[] scopes)
    {
        var service = app.Get<MachineIdentityService>();
        var created = await service.CreateAsync(name, scopes, null, null, ApiAppFactory.Admin);
        Assert.True(created.Succeeded, created.ToString());
        var secret = await service.CreateClientSecretAsync(created.Value.Id, "test", null, ApiAppFactory.Admin);
        Assert.True(secret.Succeeded, secret.ToString());
        return (created.Value.Id, created.Value.ClientId, secret.Value.Issued.Value);
    }

    private async Task<string> AccessTokenAsync(string name, params ApiTokenScope[] scopes)
    {
        var (_, clientId, clientSecret) = await CreateIdentityAsync(name + "-" + Guid.NewGuid().ToString("N")[..6], scopes);
        var grant = await app.Get<MachineIdentityService>().LoginAsync(clientId, clientSecret);
        return grant!.AccessToken;
    }

    private async Task<string> CountsAsync()
    {
        await using var db = await app.CreateContextAsync();
        return string.Join(", ", await db.MachineIdentities.CountAsync(), await db.MachineIdentityClientSecrets.CountAsync(),
            await db.MachineIdentityAccessTokens.CountAsync(), await db.Secrets.CountAsync(), await db.SecretVersions.CountAsync());
    }
}
