using RotationDashboard.Testing;
using System.Net;
using System.Text.Json;
using RotationDashboard.Auth0;
using RotationDashboard.Client;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Security;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Services.Audit;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Tests.Api;

/// <summary>
/// <c>GET /api/v1/consumer/credential-sets/{key}</c> and <c>GET /api/v1/consumer/secrets?keys=</c>: values that belong
/// together come from one snapshot, so a promotion landing between two reads cannot hand a consumer a torn pair.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
[Collection(ApiAppCollection.Name)]
public sealed class CredentialSetReadTests(ApiAppFactory app)
{
    private const string PrivateKeyJwt = "auth0-private-key-jwt";

    [Fact]
    public async Task A_promotion_between_two_secret_reads_tears_the_key_pair_but_the_credential_set_read_never_does()
    {
        var (rotation, clientId, client) = await PrivateKeyJwtRotationAsync("atomic-torn", "/atomic-torn", "TORN");
        var before = await ReadSetAsync(client, "/atomic-torn", "TORN_PRIVATE_KEY");

        // Two requests, as a consumer reading secret by secret does, with a promotion landing between them.
        var key = await ReadCurrentAsync(client, "/atomic-torn", "TORN_PRIVATE_KEY");
        await ApiRotations.RotateAndWaitAsync(app, PrivateKeyJwt, rotation);
        var keyId = await ReadCurrentAsync(client, "/atomic-torn", "TORN_KEY_ID");

        Assert.NotEqual(RsaCredentialKeys.ComputeKeyId(key), keyId);
        Assert.False(await TenantAcceptsAsync(Auth0Credential.FromPrivateKey(clientId, key, keyId)), "The tenant accepted a torn key pair.");

        // One request: the key id is the key's, the tenant accepts it, and the version moved with the promotion.
        var after = await ReadSetAsync(client, "/atomic-torn", "TORN_KEY_ID");
        AssertMatchingPair(after.GetProperty("current"));
        Assert.True(await TenantAcceptsAsync(CurrentCredential(after)), "The tenant rejected the credential set's CURRENT.");
        Assert.Equal(before.GetProperty("version").GetInt32() + 1, after.GetProperty("version").GetInt32());
        Assert.NotEqual(before.GetProperty("current").GetProperty("keyId").GetString(), after.GetProperty("current").GetProperty("keyId").GetString());
    }

    [Fact]
    public async Task While_promotions_land_every_credential_set_read_is_a_matching_pair_and_the_version_changes_on_each()
    {
        var (rotation, _, client) = await PrivateKeyJwtRotationAsync("atomic-loop", "/atomic-loop", "LOOP");
        var versions = new List<int>();
        var mismatches = new List<string>();
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var set = await ReadSetAsync(client, "/atomic-loop", "LOOP_PRIVATE_KEY");
                foreach (var credential in new[] { set.GetProperty("current"), set.GetProperty("next") }.Where(c => c.ValueKind != JsonValueKind.Null))
                {
                    if (RsaCredentialKeys.ComputeKeyId(credential.GetProperty("privateKey").GetString()!) != credential.GetProperty("keyId").GetString())
                    {
                        mismatches.Add($"version {credential.GetProperty("version").GetInt32()}");
                    }
                }

                versions.Add(set.GetProperty("version").GetInt32());
            }
        });

        var first = (await ReadSetAsync(client, "/atomic-loop", "LOOP_CLIENT_ID")).GetProperty("version").GetInt32();
        var last = first;
        for (var i = 0; i < 3; i++)
        {
            await ApiRotations.RotateAndWaitAsync(app, PrivateKeyJwt, rotation);
            var set = await ReadSetAsync(client, "/atomic-loop", "LOOP_PRIVATE_KEY");
            Assert.True(set.GetProperty("version").GetInt32() > last, $"The version did not change with promotion {i + 1}.");
            last = set.GetProperty("version").GetInt32();
            Assert.True(await TenantAcceptsAsync(CurrentCredential(set)), "The tenant rejected the credential set's CURRENT.");
        }

        await stop.CancelAsync();
        await reader;
        Assert.Empty(mismatches);
        Assert.True(versions.Count > 20, $"Only {versions.Count} reads.");
        Assert.Equal(versions.Order(), versions); // never an older set after a newer one
        Assert.Contains(versions, v => v > first);
    }

    [Fact]
    public async Task A_client_secret_rotation_s_credential_set_has_the_contract_shape_errors_and_audit()
    {
        var clientId = app.NewApplication("atomic-shape");
        var rotation = await ApiRotations.CreateAsync(app, "atomic-shape", "auth0-client-secret", clientId, "/atomic-shape",
            """{"clientId": "SHAPE_CLIENT_ID", "clientSecret": "SHAPE_CLIENT_SECRET"}""", """ "strategy": "staged", "stagedLeadTimeSeconds": 0, """);
        var projectId = await app.ProjectIdAsync();
        var token = await app.IssueTokenAsync("atomic-shape", new ApiTokenScope(ApiPermissions.SecretsRead, projectId, "dev", "/atomic-shape"));
        using var client = app.Client(token);
        var query = $"projectId={projectId}&environment=dev&secretPath=/atomic-shape";

        var response = await client.GetAsync($"api/v1/consumer/credential-sets/SHAPE_CLIENT_ID?{query}");
        var set = (await response.JsonAsync()).GetProperty("credentialSet");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal(["rotationId", "type", "projectId", "environment", "secretPath", "version", "secretsMapping", "current", "next", "updatedAt"],
            set.EnumerateObject().Select(p => p.Name));
        Assert.Equal((rotation, "auth0-client-secret"), (set.GetProperty("rotationId").GetString(), set.GetProperty("type").GetString()));
        Assert.Equal("SHAPE_CLIENT_SECRET", set.GetProperty("secretsMapping").GetProperty("clientSecret").GetString());
        var current = set.GetProperty("current");
        Assert.Equal(["version", "versionId", "clientId", "clientSecret", "privateKey", "keyId", "createdAt"], current.EnumerateObject().Select(p => p.Name));
        Assert.Equal(clientId, current.GetProperty("clientId").GetString());
        Assert.Equal(app.Sandbox.GetClientSecret(clientId), current.GetProperty("clientSecret").GetString());
        Assert.Equal(JsonValueKind.Null, current.GetProperty("privateKey").ValueKind);
        Assert.Equal(set.GetProperty("version").GetInt32(), current.GetProperty("version").GetInt32());
        Assert.Equal(JsonValueKind.Null, set.GetProperty("next").ValueKind);

        // The batch read: the same values, in the order asked for, from one snapshot.
        var batch = (await (await client.GetAsync($"api/v1/consumer/secrets?keys=SHAPE_CLIENT_SECRET,SHAPE_CLIENT_ID&{query}")).JsonAsync()).GetProperty("secrets");
        Assert.Equal(["SHAPE_CLIENT_SECRET", "SHAPE_CLIENT_ID"], batch.EnumerateArray().Select(s => s.GetProperty("key").GetString()));
        Assert.Equal(current.GetProperty("clientSecret").GetString(), batch[0].GetProperty("current").GetProperty("value").GetString());
        Assert.Equal(current.GetProperty("version").GetInt32(), batch[0].GetProperty("current").GetProperty("version").GetInt32());
        var missing = await (await client.GetAsync($"api/v1/consumer/secrets?keys=SHAPE_CLIENT_ID&keys=NOPE&{query}")).AssertProblemAsync(404);
        Assert.Contains("NOPE", missing.GetProperty("detail").GetString());
        var noKeys = await (await client.GetAsync($"api/v1/consumer/secrets?{query}")).AssertProblemAsync(400);
        Assert.True(noKeys.GetProperty("errors").TryGetProperty("keys", out _));

        // Errors: a secret no rotation manages, a missing one, another path, a bad query.
        var store = app.Get<SecretStoreService>();
        var folder = (await store.FindFolderAsync(projectId, "dev", "/atomic-shape"))!;
        Assert.True((await store.CreateSecretAsync(folder.Id, "SHAPE_MANUAL", "manual-value", ApiAppFactory.Admin.Actor)).Succeeded);
        var manual = await (await client.GetAsync($"api/v1/consumer/credential-sets/SHAPE_MANUAL?{query}")).AssertProblemAsync(404);
        Assert.Contains("not managed by a rotation", manual.GetProperty("detail").GetString());
        await (await client.GetAsync($"api/v1/consumer/credential-sets/NOPE?{query}")).AssertProblemAsync(404);
        await (await client.GetAsync($"api/v1/consumer/credential-sets/SHAPE_CLIENT_ID?projectId={projectId}&environment=dev&secretPath=/")).AssertProblemAsync(403);
        await (await client.GetAsync($"api/v1/consumer/secrets?keys=SHAPE_CLIENT_ID&projectId={projectId}&environment=dev&secretPath=/")).AssertProblemAsync(403);
        var bad = await (await client.GetAsync("api/v1/consumer/credential-sets/SHAPE_CLIENT_ID?projectId=nope")).AssertProblemAsync(400);
        Assert.True(bad.GetProperty("errors").TryGetProperty("environment", out _));

        // Audited per secret, without a value.
        var secretValue = current.GetProperty("clientSecret").GetString()!;
        var events = await app.Get<IAuditLog>().QueryAsync(new AuditQuery { Action = AuditActions.SecretConsumerRead, Target = "SHAPE_CLIENT", Take = AuditQuery.MaxTake });
        Assert.Contains(events.Items, e => e.TargetName == "SHAPE_CLIENT_SECRET");
        Assert.Contains(events.Items, e => e.TargetName == "SHAPE_CLIENT_ID");
        Assert.All(events.Items, e => Assert.DoesNotContain(secretValue, e.Details ?? "", StringComparison.Ordinal));
        Assert.DoesNotContain(secretValue, app.Logs.AllText, StringComparison.Ordinal);
    }

    private async Task<(string Rotation, string ClientId, HttpClient Client)> PrivateKeyJwtRotationAsync(string name, string path, string prefix)
    {
        var clientId = app.NewApplication(name, SandboxAuthMethod.PrivateKeyJwt);
        var rotation = await ApiRotations.CreateAsync(app, name, PrivateKeyJwt, clientId, path,
            $$"""{"clientId": "{{prefix}}_CLIENT_ID", "privateKey": "{{prefix}}_PRIVATE_KEY", "keyId": "{{prefix}}_KEY_ID"}""",
            """ "retireGracePeriodSeconds": 1, """);
        var token = await app.IssueTokenAsync(name, new ApiTokenScope(ApiPermissions.SecretsRead, await app.ProjectIdAsync(), "dev", path));
        return (rotation, clientId, app.Client(token));
    }

    private async Task<JsonElement> ReadSetAsync(HttpClient client, string path, string key)
    {
        var response = await client.GetAsync($"api/v1/consumer/credential-sets/{key}?projectId={await app.ProjectIdAsync()}&environment=dev&secretPath={path}");
        var body = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body.GetProperty("credentialSet");
    }

    private async Task<string> ReadCurrentAsync(HttpClient client, string path, string key)
    {
        var response = await client.GetAsync($"api/v1/consumer/secrets/{key}?projectId={await app.ProjectIdAsync()}&environment=dev&secretPath={path}");
        var body = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body.GetProperty("secret").GetProperty("current").GetProperty("value").GetString()!;
    }

    private static void AssertMatchingPair(JsonElement credential) =>
        Assert.Equal(RsaCredentialKeys.ComputeKeyId(credential.GetProperty("privateKey").GetString()!), credential.GetProperty("keyId").GetString());

    private static Auth0Credential CurrentCredential(JsonElement set)
    {
        var current = set.GetProperty("current");
        return Auth0Credential.FromPrivateKey(
            current.GetProperty("clientId").GetString()!, current.GetProperty("privateKey").GetString()!, current.GetProperty("keyId").GetString());
    }

    /// <summary>Whether the sandbox tenant authenticates <paramref name="credential"/> alone (no NEXT to fall back to).</summary>
    private async Task<bool> TenantAcceptsAsync(Auth0Credential credential)
    {
        using var http = new HttpClient();
        var tokens = new Auth0TokenClient(http, new StaticCredentialSource(new Auth0CredentialSet(credential)), new Auth0ClientCredentialsOptions
        {
            Domain = app.TenantUrl.AbsoluteUri,
            Audience = SandboxSeed.PaymentsApiIdentifier,
            CacheTokens = false,
            MaxRetries = 0,
        });
        try
        {
            await tokens.GetTokenAsync();
            return true;
        }
        catch (Auth0TokenException exception) when (exception.StatusCode == 403)
        {
            return true; // authenticated; the new application just has no grant for the API
        }
        catch (Auth0TokenException exception) when (exception.IsCredentialRejected)
        {
            return false;
        }
    }
}
