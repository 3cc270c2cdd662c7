using RotationDashboard.Testing;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using RotationDashboard.Core.Audit;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Services.Audit;

namespace RotationDashboard.Web.Tests.Api;

/// <summary>
/// <c>/api/v2/secret-rotations</c> over real HTTP against the in-app sandbox: seed 002's sample request as written and
/// the shape of its sample response (the files under TestData are copied verbatim from the seed), validation,
/// conflicts, unknown ids, rotate-secrets, generated-credentials, patch and delete.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
[Collection(ApiAppCollection.Name)]
public sealed class SecretRotationApiTests(ApiAppFactory app)
{
    private const string Api = "api/v2/secret-rotations/auth0-client-secret";
    private static readonly string SeedRequest = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Api", "TestData", "seed-002-sample-request.json"));
    private static readonly string SeedResponse = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Api", "TestData", "seed-002-sample-response.json"));
    private static readonly JsonDocumentOptions Lenient = new() { AllowTrailingCommas = true };

    [Fact]
    public async Task The_seed_sample_request_as_written_creates_a_rotation_with_every_field_of_the_seed_sample_response()
    {
        using var client = app.Client();
        var application = app.NewApplication("Seed sample");
        var request = await SeedRequestForAsync(application);
        Assert.Contains("\"clientId\": \"" + application + "\",\n    },", request.ReplaceLineEndings("\n")); // the trailing comma is kept

        var response = await client.PostJsonTextAsync(Api, request);
        var body = await response.JsonAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        var missing = MissingOrMistyped(JsonDocument.Parse(SeedResponse, Lenient).RootElement, body, "$");
        Assert.True(missing.Count == 0, "Not as in the seed's sample response: " + string.Join("; ", missing));

        var rotation = body.GetProperty("secretRotation");
        Assert.Equal("my-auth0-rotation", rotation.GetProperty("name").GetString());
        Assert.Equal("my client secret rotation", rotation.GetProperty("description").GetString());
        Assert.Equal("auth0-client-secret", rotation.GetProperty("type").GetString());
        Assert.Equal("success", rotation.GetProperty("rotationStatus").GetString());
        Assert.Equal(application, rotation.GetProperty("parameters").GetProperty("clientId").GetString());
        Assert.Equal("AUTH0_CLIENT_SECRET", rotation.GetProperty("secretsMapping").GetProperty("clientSecret").GetString());
        Assert.Equal(("dev", "Development"), (rotation.GetProperty("environment").GetProperty("slug").GetString(), rotation.GetProperty("environment").GetProperty("name").GetString()));
        Assert.Equal("/", rotation.GetProperty("folder").GetProperty("path").GetString());
        Assert.Equal(("auth0", "sandbox-tenant"), (rotation.GetProperty("connection").GetProperty("app").GetString(), rotation.GetProperty("connection").GetProperty("name").GetString()));
        Assert.Equal("single-phase", rotation.GetProperty("strategy").GetString()); // the seed's request has no strategy: Hanzo KMS's behaviour
        Assert.EndsWith("Z", rotation.GetProperty("createdAt").GetString());
        Assert.EndsWith("T00:00:00.000Z", rotation.GetProperty("nextRotationAt").GetString()); // milliseconds, as Hanzo KMS writes them

        // The issued secret is in the store and works in Auth0.
        var secret = app.Sandbox.GetClientSecret(application);
        var read = await (await client.GetAsync($"api/v1/consumer/secrets/AUTH0_CLIENT_SECRET?projectId={await app.ProjectIdAsync()}&environment=dev&secretPath=/")).JsonAsync();
        Assert.Equal(secret, read.GetProperty("secret").GetProperty("current").GetProperty("value").GetString());

        // The same request again: Hanzo KMS's conflict message and status, and nothing changes in Auth0.
        app.SandboxRequests.Clear();
        var again = await client.PostJsonTextAsync(Api, request);
        var conflict = await again.AssertProblemAsync(400);
        Assert.Equal("A Secret Rotation with the name \"my-auth0-rotation\" already exists at the secret path \"/\"", conflict.GetProperty("detail").GetString());
        Assert.Empty(app.SandboxRequests.Mutations);
        Assert.Equal(secret, app.Sandbox.GetClientSecret(application));

        // Get, get by name and both lists return the same object.
        var id = rotation.GetProperty("id").GetString();
        var projectId = await app.ProjectIdAsync();
        foreach (var path in new[] { $"{Api}/{id}", $"{Api}/rotation-name/my-auth0-rotation?projectId={projectId}&environment=dev&secretPath=/" })
        {
            var got = await (await client.GetAsync(path)).JsonAsync();
            Assert.Equal(id, got.GetProperty("secretRotation").GetProperty("id").GetString());
            Assert.Empty(MissingOrMistyped(JsonDocument.Parse(SeedResponse, Lenient).RootElement, got, "$"));
        }

        foreach (var path in new[] { $"{Api}?projectId={projectId}", $"api/v2/secret-rotations?projectId={projectId}" })
        {
            var list = await (await client.GetAsync(path)).JsonAsync();
            Assert.Contains(list.GetProperty("secretRotations").EnumerateArray(), r => r.GetProperty("id").GetString() == id);
        }
    }

    public static TheoryData<string, string, string> InvalidCreates() => new()
    {
        { "name not a slug", """{"name": "Not A Slug"}""", "name" },
        { "name too long", $$"""{"name": "{{new string('a', 65)}}"}""", "name" },
        { "description too long", $$"""{"description": "{{new string('d', 257)}}"}""", "description" },
        { "interval zero", """{"rotationInterval": 0}""", "rotationInterval" },
        { "interval above a year", """{"rotationInterval": 366}""", "rotationInterval" },
        { "interval not a number", """{"rotationInterval": "monthly"}""", "rotationInterval" },
        { "interval fractional", """{"rotationInterval": 1.5}""", "rotationInterval" },
        { "interval missing", """{"rotationInterval": null}""", "rotationInterval" },
        { "hours 24", """{"rotateAtUtc": {"hours": 24, "minutes": 0}}""", "rotateAtUtc.hours" },
        { "minutes 60", """{"rotateAtUtc": {"hours": 0, "minutes": 60}}""", "rotateAtUtc.minutes" },
        { "hours missing", """{"rotateAtUtc": {"minutes": 0}}""", "rotateAtUtc.hours" },
        { "client id empty", """{"parameters": {"clientId": "  "}}""", "parameters.clientId" },
        { "client id unknown in Auth0", """{"parameters": {"clientId": "no-such-application"}}""", "parameters.clientId" },
        { "public application", $$$"""{"parameters": {"clientId": "{{{SandboxSeed.MobileAppClientId}}}"}}""", "parameters.clientId" },
        { "Private Key JWT application", $$$"""{"parameters": {"clientId": "{{{SandboxSeed.LedgerSyncClientId}}}"}}""", "parameters.clientId" },
        { "the connection's own application", $$$"""{"parameters": {"clientId": "{{{SandboxSeed.DashboardClientId}}}"}}""", "parameters.clientId" },
        { "mapping with a slash", """{"secretsMapping": {"clientId": "VALIDATION_ID", "clientSecret": "A/B"}}""", "secretsMapping.clientSecret" },
        { "mapping with a colon", """{"secretsMapping": {"clientId": "A:B", "clientSecret": "VALIDATION_SECRET"}}""", "secretsMapping.clientId" },
        { "mapping names equal", """{"secretsMapping": {"clientId": "SAME_NAME", "clientSecret": "SAME_NAME"}}""", "secretsMapping" },
        { "mapping name empty", """{"secretsMapping": {"clientId": "VALIDATION_ID", "clientSecret": ""}}""", "secretsMapping.clientSecret" },
        { "mapped secret exists in the folder", """{"secretsMapping": {"clientId": "VALIDATION_ID", "clientSecret": "EXISTING_MANUAL_SECRET"}}""", "secretsMapping" },
        { "project unknown", $$"""{"projectId": "{{Guid.NewGuid()}}"}""", "projectId" },
        { "project not a uuid", """{"projectId": "default"}""", "projectId" },
        { "connection unknown", $$"""{"connectionId": "{{Guid.NewGuid()}}"}""", "connectionId" },
        { "connection missing", """{"connectionId": null}""", "connectionId" },
        { "environment unknown", """{"environment": "qa"}""", "environment" },
        { "folder missing", """{"secretPath": "/no/such/folder"}""", "secretPath" },
        { "path invalid", """{"secretPath": "/../etc"}""", "secretPath" },
        { "strategy of another type", """{"strategy": "private-key-jwt"}""", "strategy" },
        { "strategy unknown", """{"strategy": "blue-green"}""", "strategy" },
        { "type of another address", """{"type": "auth0-private-key-jwt"}""", "type" },
        { "lead time negative", """{"strategy": "staged", "stagedLeadTimeSeconds": -1}""", "stagedLeadTimeSeconds" },
        { "parameters not an object", """{"parameters": "x"}""", "parameters" },
    };

    [Theory]
    [MemberData(nameof(InvalidCreates))]
    public async Task Each_validation_rule_answers_400_naming_the_field_creates_nothing_and_changes_nothing_in_Auth0(string rule, string change, string field)
    {
        await app.EnsureFolderAsync("staging", "/validation");
        var store = app.Get<Web.Services.Secrets.SecretStoreService>();
        var folder = await store.FindFolderAsync(await app.ProjectIdAsync(), "staging", "/validation");
        if ((await store.ListSecretsAsync(folder!.Id)).All(s => s.Key != "EXISTING_MANUAL_SECRET"))
        {
            Assert.True((await store.CreateSecretAsync(folder.Id, "EXISTING_MANUAL_SECRET", "manual-value", ApiAppFactory.Admin.Actor)).Succeeded);
        }

        var body = JsonNode.Parse(await ValidRequestAsync("validation-" + field.Replace('.', '-').ToLowerInvariant()))!.AsObject();
        foreach (var (key, value) in JsonNode.Parse(change)!.AsObject())
        {
            body[key] = value?.DeepClone();
        }

        var rotationsBefore = await app.RotationCountAsync();
        var secretBefore = app.Sandbox.GetClientSecret(SandboxSeed.BillingServiceClientId);
        app.SandboxRequests.Clear();
        using var client = app.Client();

        var response = await client.PostJsonTextAsync(Api, body.ToJsonString());

        var problem = await response.AssertProblemAsync(400);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"{rule}: no error for {field} in {problem}");
        Assert.Contains(messages.EnumerateArray(), m => !string.IsNullOrWhiteSpace(m.GetString()));
        Assert.Equal(rotationsBefore, await app.RotationCountAsync());
        Assert.Empty(app.SandboxRequests.Mutations);
        Assert.Equal(secretBefore, app.Sandbox.GetClientSecret(SandboxSeed.BillingServiceClientId));
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("a\u0001b")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a?b#c")]
    public async Task An_application_id_that_cannot_be_an_Auth0_client_id_is_a_400_on_create_and_patch_of_both_types_and_changes_nothing(string clientId)
    {
        await app.EnsureFolderAsync("staging", "/validation");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var secretRotation = await CreateAsync("app-id-secret-" + suffix, app.NewApplication("App id " + suffix), "/", mapping:
            $$"""{"clientId": "APPID_{{suffix}}_ID", "clientSecret": "APPID_{{suffix}}_SECRET"}""");
        var keyRotation = await CreateAsync("app-id-key-" + suffix, app.NewApplication("App id key " + suffix, SandboxAuthMethod.PrivateKeyJwt), "/",
            type: "auth0-private-key-jwt", mapping: $$"""{"clientId": "APPID_{{suffix}}_KID_CLIENT", "privateKey": "APPID_{{suffix}}_KEY", "keyId": "APPID_{{suffix}}_KID"}""",
            extra: """ "retireGracePeriodSeconds": 0, """);
        using var client = app.Client();
        var rotations = await app.RotationCountAsync();
        var encoded = JsonSerializer.Serialize(clientId);

        foreach (var (type, existing) in new[] { ("auth0-client-secret", secretRotation), ("auth0-private-key-jwt", keyRotation) })
        {
            var body = JsonNode.Parse(await ValidRequestAsync("app-id-new-" + suffix))!.AsObject();
            body["parameters"] = JsonNode.Parse($$"""{"clientId": {{encoded}}}""");
            if (type == "auth0-private-key-jwt")
            {
                body["secretsMapping"] = JsonNode.Parse("""{"clientId": "APPID_NEW_ID", "privateKey": "APPID_NEW_KEY", "keyId": "APPID_NEW_KID"}""");
            }

            app.SandboxRequests.Clear();
            var created = await (await client.PostJsonTextAsync($"api/v2/secret-rotations/{type}", body.ToJsonString())).AssertProblemAsync(400);
            Assert.True(created.GetProperty("errors").TryGetProperty("parameters.clientId", out _), created.ToString());

            var id = existing.GetProperty("id").GetString();
            var patched = await (await client.PatchJsonTextAsync($"api/v2/secret-rotations/{type}/{id}", $$$"""{"parameters": {"clientId": {{{encoded}}}}}""")).AssertProblemAsync(400);
            Assert.True(patched.GetProperty("errors").TryGetProperty("parameters.clientId", out _), patched.ToString());
            Assert.Empty(app.SandboxRequests.Mutations);
            var after = await (await client.GetAsync($"api/v2/secret-rotations/{type}/{id}")).JsonAsync();
            Assert.Equal(existing.GetProperty("parameters").GetProperty("clientId").GetString(),
                after.GetProperty("secretRotation").GetProperty("parameters").GetProperty("clientId").GetString());
        }

        Assert.Equal(rotations, await app.RotationCountAsync());
    }

    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    public async Task Creating_while_Auth0_is_unavailable_is_a_503_with_retry_after_not_pinned_to_a_field_and_creates_nothing(int auth0Status)
    {
        await app.EnsureFolderAsync("staging", "/validation");
        var body = await ValidRequestAsync("auth0-down-" + auth0Status);
        using var client = app.Client();
        var rotations = await app.RotationCountAsync();
        app.SandboxRequests.Clear();
        app.Sandbox.AddFailure(new SandboxFailureRule("GET", "/api/v2/clients/*", auth0Status, Times: 100));
        HttpResponseMessage response;
        try
        {
            response = await client.PostJsonTextAsync(Api, body);
        }
        finally
        {
            app.Sandbox.SetFaults(SandboxFaults.None);
        }

        var problem = await response.AssertProblemAsync(503);
        Assert.False(problem.TryGetProperty("errors", out _), problem.ToString());
        Assert.Contains("Auth0", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("could not be asked through this connection", problem.GetProperty("detail").GetString());
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
        Assert.InRange(response.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        Assert.Equal(rotations, await app.RotationCountAsync());
        Assert.Empty(app.SandboxRequests.Mutations);

        // Once Auth0 answers again the same request creates the rotation.
        var retried = await client.PostJsonTextAsync(Api, body);
        Assert.True(retried.IsSuccessStatusCode, await retried.Content.ReadAsStringAsync());
        var id = (await retried.JsonAsync()).GetProperty("secretRotation").GetProperty("id").GetString();
        await client.DeleteAsync($"{Api}/{id}?deleteSecrets=true");
    }

    [Fact]
    public async Task Malformed_bodies_and_bodies_that_are_not_json_are_refused_without_change()
    {
        using var client = app.Client();
        var rotations = await app.RotationCountAsync();

        var malformed = await client.PostJsonTextAsync(Api, "{\"name\": ");
        await malformed.AssertProblemAsync(400);
        var notJson = await client.PostAsync(Api, new StringContent("name=x"));
        await notJson.AssertProblemAsync(415);

        Assert.Equal(rotations, await app.RotationCountAsync());
    }

    [Fact]
    public async Task Unknown_ids_answer_404_problem_details_on_every_route()
    {
        using var client = app.Client();
        var unknown = Guid.NewGuid();
        var privateKeyJwt = await CreateAsync("pkjwt-wrong-address", app.NewApplication("Wrong address", SandboxAuthMethod.PrivateKeyJwt), "/", type: "auth0-private-key-jwt",
            mapping: """{"clientId": "WRONG_ADDRESS_ID", "privateKey": "WRONG_ADDRESS_KEY", "keyId": "WRONG_ADDRESS_KID"}""", extra: """ "retireGracePeriodSeconds": 0, """);
        var projectId = await app.ProjectIdAsync();

        foreach (var id in new[] { unknown.ToString(), privateKeyJwt.GetProperty("id").GetString()! })
        {
            await (await client.GetAsync($"{Api}/{id}")).AssertProblemAsync(404);
            await (await client.PatchJsonTextAsync($"{Api}/{id}", """{"description": "x"}""")).AssertProblemAsync(404);
            await (await client.DeleteAsync($"{Api}/{id}")).AssertProblemAsync(404);
            await (await client.PostAsync($"{Api}/{id}/rotate-secrets", null)).AssertProblemAsync(404);
            await (await client.GetAsync($"{Api}/{id}/generated-credentials")).AssertProblemAsync(404);
            await (await client.GetAsync($"{Api}/{id}/runs")).AssertProblemAsync(404);
            await (await client.GetAsync($"{Api}/{id}/runs/{Guid.NewGuid()}")).AssertProblemAsync(404);
        }

        await (await client.GetAsync($"{Api}/not-a-uuid")).AssertProblemAsync(404);
        await (await client.GetAsync($"{Api}/rotation-name/nothing-here?projectId={projectId}&environment=dev&secretPath=/")).AssertProblemAsync(404);
        await (await client.GetAsync($"{Api}?projectId={Guid.NewGuid()}")).AssertProblemAsync(404);
        var missing = await (await client.GetAsync($"{Api}/rotation-name/x")).AssertProblemAsync(400);
        Assert.True(missing.GetProperty("errors").TryGetProperty("projectId", out _));
        Assert.True(missing.GetProperty("errors").TryGetProperty("environment", out _));
        Assert.True(missing.GetProperty("errors").TryGetProperty("secretPath", out _));

        // The other type's address knows it.
        var own = await client.GetAsync($"api/v2/secret-rotations/auth0-private-key-jwt/{privateKeyJwt.GetProperty("id").GetString()}");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task Rotate_secrets_publishes_a_new_secret_that_works_and_generated_credentials_show_both_slots()
    {
        await app.EnsureFolderAsync("dev", "/rotate");
        using var client = app.Client();
        var application = app.NewApplication("Rotate now");
        var created = await CreateAsync("rotate-now", application, "/rotate",
            mapping: """{"clientId": "PORTAL_CLIENT_ID", "clientSecret": "PORTAL_CLIENT_SECRET"}""");
        var id = created.GetProperty("id").GetString();
        var first = app.Sandbox.GetClientSecret(application);

        var rotated = await client.PostAsync($"{Api}/{id}/rotate-secrets", null);
        var body = await rotated.JsonAsync();

        Assert.True(rotated.StatusCode == HttpStatusCode.OK, body.ToString());
        var rotation = body.GetProperty("secretRotation");
        var run = body.GetProperty("run");
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal("api", run.GetProperty("trigger").GetString());
        Assert.Equal(run.GetProperty("id").GetString(), rotation.GetProperty("lastRotationJobId").GetString());
        Assert.Equal(1, rotation.GetProperty("activeIndex").GetInt32());
        var second = app.Sandbox.GetClientSecret(application);
        Assert.NotEqual(first, second);

        // The consumer read API serves the new value at once (the cache was invalidated by the write).
        var read = await (await client.GetAsync($"api/v1/consumer/secrets/PORTAL_CLIENT_SECRET?projectId={await app.ProjectIdAsync()}&environment=dev&secretPath=/rotate")).JsonAsync();
        Assert.Equal(second, read.GetProperty("secret").GetProperty("current").GetProperty("value").GetString());
        Assert.Equal(2, read.GetProperty("secret").GetProperty("current").GetProperty("version").GetInt32());

        var credentials = await client.GetAsync($"{Api}/{id}/generated-credentials");
        var revealed = await credentials.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, credentials.StatusCode);
        Assert.Equal("no-store", credentials.Headers.CacheControl?.ToString());
        Assert.Equal(1, revealed.GetProperty("activeIndex").GetInt32());
        Assert.Equal(id, revealed.GetProperty("rotationId").GetString());
        Assert.Equal("auth0-client-secret", revealed.GetProperty("type").GetString());
        var slots = revealed.GetProperty("generatedCredentials").EnumerateArray().ToList();
        Assert.Equal(2, slots.Count);
        Assert.All(slots, s => Assert.Equal(application, s.GetProperty("clientId").GetString()));
        Assert.Equal(first, slots[0].GetProperty("clientSecret").GetString());
        Assert.Equal(second, slots[1].GetProperty("clientSecret").GetString());
        Assert.Equal(("previous", false), (slots[0].GetProperty("stage").GetString(), slots[0].GetProperty("isValid").GetBoolean()));
        Assert.Equal(("current", true), (slots[1].GetProperty("stage").GetString(), slots[1].GetProperty("isValid").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, revealed.GetProperty("next").ValueKind);

        // History: the create run and the API run, newest first, with their steps.
        var runs = await (await client.GetAsync($"{Api}/{id}/runs")).JsonAsync();
        Assert.Equal(2, runs.GetProperty("totalCount").GetInt32());
        var newest = runs.GetProperty("runs")[0];
        Assert.Equal(run.GetProperty("id").GetString(), newest.GetProperty("id").GetString());
        Assert.Contains(newest.GetProperty("steps").EnumerateArray(), s => s.GetProperty("name").GetString() == "verify" && s.GetProperty("status").GetString() == "succeeded");
        var single = await (await client.GetAsync($"{Api}/{id}/runs/{newest.GetProperty("id").GetString()}")).JsonAsync();
        Assert.Equal("succeeded", single.GetProperty("run").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_private_key_jwt_run_whose_old_key_cannot_be_deleted_succeeds_with_clean_up_pending_and_the_next_run_deletes_the_leftover()
    {
        await app.EnsureFolderAsync("dev", "/retire-fails");
        using var client = app.Client();
        const string KeyApi = "api/v2/secret-rotations/auth0-private-key-jwt";
        var application = app.NewApplication("Retire fails", SandboxAuthMethod.PrivateKeyJwt);
        var created = await CreateAsync("retire-fails", application, "/retire-fails", type: "auth0-private-key-jwt",
            mapping: """{"clientId": "RETIRE_FAILS_ID", "privateKey": "RETIRE_FAILS_KEY", "keyId": "RETIRE_FAILS_KID"}""", extra: """ "retireGracePeriodSeconds": 0, """);
        var id = created.GetProperty("id").GetString();
        var oldCredentialId = await ActiveCredentialIdAsync();

        // Auth0 refuses every delete of a credential (past the engine's retries) while the run retires the old key.
        app.Sandbox.AddFailure(new SandboxFailureRule("DELETE", "/api/v2/clients/*/credentials/*", 503, Times: 1000));
        HttpResponseMessage rotated;
        try
        {
            rotated = await client.PostAsync($"{KeyApi}/{id}/rotate-secrets", null);
        }
        finally
        {
            app.Sandbox.SetFaults(SandboxFaults.None);
        }

        // The new key is live, so the run, the rotation and the status code all say success, with the clean-up pending.
        var body = await rotated.JsonAsync();
        Assert.True(rotated.StatusCode == HttpStatusCode.OK, body.ToString());
        var run = body.GetProperty("run");
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.StartsWith("Rotated; clean-up pending:", run.GetProperty("message").GetString());
        var retire = run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "retire");
        Assert.Equal("failed", retire.GetProperty("status").GetString());
        Assert.Contains(oldCredentialId, retire.GetProperty("message").GetString());
        var rotation = (await (await client.GetAsync($"{KeyApi}/{id}")).JsonAsync()).GetProperty("secretRotation");
        Assert.Equal("success", rotation.GetProperty("rotationStatus").GetString());
        Assert.StartsWith("Rotated; clean-up pending:", rotation.GetProperty("lastRotationMessage").GetString());
        Assert.False(rotation.GetProperty("needsAttention").GetBoolean());
        var newCredentialId = await ActiveCredentialIdAsync();
        Assert.NotEqual(oldCredentialId, newCredentialId);
        await AssertActiveKeyAuthenticatesAsync();
        // Detached, so it no longer authenticates, but still stored in Auth0.
        Assert.Contains(app.Sandbox.GetCredentials(application), c => c.Id == oldCredentialId && !c.IsAttached);
        var audit = await app.Get<IAuditLog>().QueryAsync(new AuditQuery { Target = id, Take = 5 });
        Assert.Contains(audit.Items, e => e.Outcome == AuditOutcome.Success && e.Details?.Contains("clean-up pending", StringComparison.Ordinal) == true);

        // The clean-up is retried by the next run: its Apply deletes the detached leftover, and the warning clears.
        var again = await client.PostAsync($"{KeyApi}/{id}/rotate-secrets", null);
        Assert.True(again.StatusCode == HttpStatusCode.OK, (await again.JsonAsync()).ToString());
        var stored = app.Sandbox.GetCredentials(application);
        Assert.DoesNotContain(stored, c => c.Id == oldCredentialId || c.Id == newCredentialId);
        Assert.Single(stored, c => c.IsAttached);
        await AssertActiveKeyAuthenticatesAsync();
        rotation = (await (await client.GetAsync($"{KeyApi}/{id}")).JsonAsync()).GetProperty("secretRotation");
        Assert.Equal(("success", JsonValueKind.Null), (rotation.GetProperty("rotationStatus").GetString(), rotation.GetProperty("lastRotationMessage").ValueKind));

        async Task<string> ActiveCredentialIdAsync()
        {
            var revealed = await (await client.GetAsync($"{KeyApi}/{id}/generated-credentials")).JsonAsync();
            return revealed.GetProperty("generatedCredentials")[revealed.GetProperty("activeIndex").GetInt32()].GetProperty("credentialId").GetString()!;
        }

        async Task AssertActiveKeyAuthenticatesAsync()
        {
            var revealed = await (await client.GetAsync($"{KeyApi}/{id}/generated-credentials")).JsonAsync();
            var active = revealed.GetProperty("generatedCredentials")[revealed.GetProperty("activeIndex").GetInt32()];
            var key = active.GetProperty("privateKey").GetString()!;
            var assertion = SandboxClientAssertion.Create(application, key, "RS256", active.GetProperty("keyId").GetString(), app.TenantUrl.AbsoluteUri,
                DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
            using var token = await client.PostAsync(new Uri(app.TenantUrl, "oauth/token"), new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = application,
                ["client_assertion_type"] = SandboxClientAssertion.AssertionType,
                ["client_assertion"] = assertion,
                ["audience"] = SandboxSeed.PaymentsApiIdentifier,
            }));
            // 403: authenticated, the new application just has no grant for that API.
            Assert.True(token.StatusCode is HttpStatusCode.OK or HttpStatusCode.Forbidden, await token.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_second_rotate_while_a_run_waits_is_a_400_as_upstream_and_a_staged_run_answers_202_with_next_published()
    {
        await app.EnsureFolderAsync("staging", "/staged-wait");
        using var client = app.Client();
        var application = app.NewApplication("Staged wait");
        var created = await CreateAsync("staged-wait", application, "/staged-wait", environment: "staging",
            mapping: """{"clientId": "WAIT_CLIENT_ID", "clientSecret": "WAIT_CLIENT_SECRET"}""",
            extra: """ "strategy": "staged", "stagedLeadTimeSeconds": 120, """);
        var id = created.GetProperty("id").GetString();
        Assert.Equal("staged", created.GetProperty("strategy").GetString());
        Assert.Equal(120, created.GetProperty("stagedLeadTimeSeconds").GetInt32());

        var waiting = await client.PostAsync($"{Api}/{id}/rotate-secrets", null);
        var body = await waiting.JsonAsync();

        Assert.True(waiting.StatusCode == HttpStatusCode.Accepted, body.ToString());
        Assert.Equal("running", body.GetProperty("run").GetProperty("status").GetString());
        Assert.True(body.GetProperty("secretRotation").GetProperty("isRotating").GetBoolean());
        Assert.Equal(body.GetProperty("run").GetProperty("id").GetString(), body.GetProperty("secretRotation").GetProperty("activeRun").GetProperty("id").GetString());
        var read = await (await client.GetAsync($"api/v1/consumer/secrets/WAIT_CLIENT_SECRET?projectId={await app.ProjectIdAsync()}&environment=staging&secretPath=/staged-wait")).JsonAsync();
        var secret = read.GetProperty("secret");
        Assert.Equal(JsonValueKind.Object, secret.GetProperty("next").ValueKind);
        Assert.True(secret.GetProperty("next").GetProperty("version").GetInt32() > secret.GetProperty("current").GetProperty("version").GetInt32());
        Assert.Equal(app.Sandbox.GetClientSecret(application), secret.GetProperty("current").GetProperty("value").GetString());
        var revealed = await (await client.GetAsync($"{Api}/{id}/generated-credentials")).JsonAsync();
        Assert.Equal(secret.GetProperty("next").GetProperty("value").GetString(), revealed.GetProperty("next").GetProperty("clientSecret").GetString());
        Assert.Equal("next", revealed.GetProperty("next").GetProperty("stage").GetString());

        var again = await client.PostAsync($"{Api}/{id}/rotate-secrets", null);
        var conflict = await again.AssertProblemAsync(400);
        Assert.Contains("already", conflict.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        var blocked = await client.PatchJsonTextAsync($"{Api}/{id}", """{"strategy": "single-phase"}""");
        await blocked.AssertProblemAsync(400);
    }

    [Fact]
    public async Task Patch_renames_clears_the_description_turns_auto_rotation_off_and_refuses_what_cannot_change()
    {
        await app.EnsureFolderAsync("dev", "/patch");
        using var client = app.Client();
        var application = app.NewApplication("Patch");
        var other = await CreateAsync("patch-other", app.NewApplication("Patch other"), "/patch",
            mapping: """{"clientId": "PATCH_OTHER_ID", "clientSecret": "PATCH_OTHER_SECRET"}""");
        var created = await CreateAsync("patch-me", application, "/patch",
            mapping: """{"clientId": "PATCH_ID", "clientSecret": "PATCH_SECRET"}""");
        var id = created.GetProperty("id").GetString();
        Assert.NotEqual(JsonValueKind.Null, created.GetProperty("nextRotationAt").ValueKind);

        var patched = await client.PatchJsonTextAsync($"{Api}/{id}", """
            {
              "name": "patched",
              "description": null,
              "isAutoRotationEnabled": false,
              "rotationInterval": 7,
              "rotateAtUtc": {"hours": 3},
              "secretsMapping": {"clientSecret": "PATCH_SECRET_RENAMED"},
              "environment": "dev",
            }
            """);
        var body = await patched.JsonAsync();

        Assert.True(patched.StatusCode == HttpStatusCode.OK, body.ToString());
        var rotation = body.GetProperty("secretRotation");
        Assert.Equal("patched", rotation.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, rotation.GetProperty("description").ValueKind);
        Assert.False(rotation.GetProperty("isAutoRotationEnabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, rotation.GetProperty("nextRotationAt").ValueKind);
        Assert.Equal(7, rotation.GetProperty("rotationInterval").GetInt32());
        Assert.Equal((3, 0), (rotation.GetProperty("rotateAtUtc").GetProperty("hours").GetInt32(), rotation.GetProperty("rotateAtUtc").GetProperty("minutes").GetInt32()));
        Assert.Equal(("PATCH_ID", "PATCH_SECRET_RENAMED"),
            (rotation.GetProperty("secretsMapping").GetProperty("clientId").GetString(), rotation.GetProperty("secretsMapping").GetProperty("clientSecret").GetString()));
        var projectId = await app.ProjectIdAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"api/v1/consumer/secrets/PATCH_SECRET_RENAMED?projectId={projectId}&environment=dev&secretPath=/patch")).StatusCode);

        var moved = await client.PatchJsonTextAsync($"{Api}/{id}", """{"environment": "prod", "secretPath": "/elsewhere"}""");
        var refused = await moved.AssertProblemAsync(400);
        Assert.True(refused.GetProperty("errors").TryGetProperty("environment", out _));
        Assert.True(refused.GetProperty("errors").TryGetProperty("secretPath", out _));

        var taken = await client.PatchJsonTextAsync($"{Api}/{id}", """{"name": "patch-other"}""");
        var conflict = await taken.AssertProblemAsync(400);
        Assert.Equal("A Secret Rotation with the name \"patch-other\" already exists at the secret path \"/patch\"", conflict.GetProperty("detail").GetString());
        Assert.Equal("patched", (await (await client.GetAsync($"{Api}/{id}")).JsonAsync()).GetProperty("secretRotation").GetProperty("name").GetString());
        Assert.Equal("patch-other", other.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Delete_with_both_flags_revokes_the_secret_in_Auth0_and_deletes_the_mapped_secrets_without_flags_it_keeps_them()
    {
        await app.EnsureFolderAsync("prod", "/delete");
        using var client = app.Client();
        var projectId = await app.ProjectIdAsync();
        var application = app.NewApplication("Delete");
        var revoked = await CreateAsync("delete-revoke", application, "/delete", environment: "prod",
            mapping: """{"clientId": "DELETE_ID", "clientSecret": "DELETE_SECRET"}""");
        var id = revoked.GetProperty("id").GetString();
        var issued = app.Sandbox.GetClientSecret(application);

        await (await client.DeleteAsync($"{Api}/{id}?deleteSecrets=maybe")).AssertProblemAsync(400);
        app.SandboxRequests.Clear();
        var deleted = await client.DeleteAsync($"{Api}/{id}?deleteSecrets=true&revokeGeneratedCredentials=true");
        var body = await deleted.JsonAsync();

        Assert.True(deleted.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal(id, body.GetProperty("secretRotation").GetProperty("id").GetString());
        Assert.NotEqual(issued, app.Sandbox.GetClientSecret(application)); // Auth0 generated one nobody knows
        Assert.Contains("POST /api/v2/clients/" + application + "/rotate-secret", app.SandboxRequests.All);
        await (await client.GetAsync($"{Api}/{id}")).AssertProblemAsync(404);
        await (await client.GetAsync($"api/v1/consumer/secrets/DELETE_SECRET?projectId={projectId}&environment=prod&secretPath=/delete")).AssertProblemAsync(404);

        var kept = await CreateAsync("delete-keep", application, "/delete", environment: "prod",
            mapping: """{"clientId": "KEEP_ID", "clientSecret": "KEEP_SECRET"}""");
        var keptSecret = app.Sandbox.GetClientSecret(application);
        var plain = await client.DeleteAsync($"{Api}/{kept.GetProperty("id").GetString()}");
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(keptSecret, app.Sandbox.GetClientSecret(application));
        var read = await (await client.GetAsync($"api/v1/consumer/secrets/KEEP_SECRET?projectId={projectId}&environment=prod&secretPath=/delete")).JsonAsync();
        Assert.Equal(keptSecret, read.GetProperty("secret").GetProperty("current").GetProperty("value").GetString());
    }

    [Fact]
    public async Task Options_list_both_types_with_their_templates_sorted_by_name()
    {
        using var client = app.Client();
        var options = await (await client.GetAsync("api/v2/secret-rotations/options")).JsonAsync();

        var list = options.GetProperty("secretRotationOptions").EnumerateArray().ToList();
        Assert.Equal(["Auth0 Client Secret", "Auth0 Private Key JWT"], list.Select(o => o.GetProperty("name").GetString()));
        var secret = list[0];
        Assert.Equal(("auth0-client-secret", "auth0"), (secret.GetProperty("type").GetString(), secret.GetProperty("connection").GetString()));
        Assert.Equal("AUTH0_CLIENT_SECRET", secret.GetProperty("template").GetProperty("secretsMapping").GetProperty("clientSecret").GetString());
        Assert.Equal("single-phase", secret.GetProperty("defaultStrategy").GetString());
        Assert.Equal("AUTH0_PRIVATE_KEY", list[1].GetProperty("template").GetProperty("secretsMapping").GetProperty("privateKey").GetString());
    }

    /// <summary>Seed 002's sample request text with only its placeholders replaced (trailing comma and layout kept).</summary>
    private async Task<string> SeedRequestForAsync(string clientId)
    {
        var projectId = await app.ProjectIdAsync();
        var connectionId = await app.SandboxConnectionIdAsync();
        return SeedRequest
            .Replace("\"projectId\": \"3c90c3cc-0d44-4b50-8888-8dd25736052a\"", $"\"projectId\": \"{projectId}\"", StringComparison.Ordinal)
            .Replace("\"connectionId\": \"3c90c3cc-0d44-4b50-8888-8dd25736052a\"", $"\"connectionId\": \"{connectionId}\"", StringComparison.Ordinal)
            .Replace("\"clientId\": \"...\"", $"\"clientId\": \"{clientId}\"", StringComparison.Ordinal);
    }

    /// <summary>A valid create body (Billing service, staging:/validation) that the validation cases change one member of.</summary>
    private async Task<string> ValidRequestAsync(string name) => $$"""
        {
          "name": "{{name}}",
          "projectId": "{{await app.ProjectIdAsync()}}",
          "connectionId": "{{await app.SandboxConnectionIdAsync()}}",
          "environment": "staging",
          "secretPath": "/validation",
          "isAutoRotationEnabled": false,
          "rotationInterval": 30,
          "rotateAtUtc": {"hours": 0, "minutes": 0},
          "parameters": {"clientId": "{{SandboxSeed.BillingServiceClientId}}"},
          "secretsMapping": {"clientId": "VALIDATION_CLIENT_ID", "clientSecret": "VALIDATION_CLIENT_SECRET"}
        }
        """;

    private async Task<JsonElement> CreateAsync(
        string name,
        string clientId,
        string path,
        string mapping,
        string environment = "dev",
        string type = "auth0-client-secret",
        string extra = "")
    {
        using var client = app.Client();
        var response = await client.PostJsonTextAsync($"api/v2/secret-rotations/{type}", $$"""
            {
              "name": "{{name}}",
              "projectId": "{{await app.ProjectIdAsync()}}",
              "connectionId": "{{await app.SandboxConnectionIdAsync()}}",
              "environment": "{{environment}}",
              "secretPath": "{{path}}",
              "isAutoRotationEnabled": true,
              "rotationInterval": 30,
              {{extra}}
              "parameters": {"clientId": "{{clientId}}"},
              "secretsMapping": {{mapping}}
            }
            """);
        var body = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        var rotation = body.GetProperty("secretRotation");
        Assert.True(rotation.GetProperty("rotationStatus").GetString() == "success", rotation.ToString());
        return rotation;
    }

    /// <summary>Every member of <paramref name="expected"/> (the seed's sample) exists in <paramref name="actual"/> with the same JSON type.</summary>
    internal static List<string> MissingOrMistyped(JsonElement expected, JsonElement actual, string path)
    {
        var problems = new List<string>();
        if (expected.ValueKind == JsonValueKind.Null)
        {
            return problems; // the seed shows a nullable member as null: any value fits
        }

        if (Kind(expected) != Kind(actual))
        {
            problems.Add($"{path} is {actual.ValueKind}, the seed has {expected.ValueKind}");
            return problems;
        }

        if (expected.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in expected.EnumerateObject())
            {
                if (!actual.TryGetProperty(member.Name, out var value))
                {
                    problems.Add($"{path}.{member.Name} is missing");
                    continue;
                }

                problems.AddRange(MissingOrMistyped(member.Value, value, $"{path}.{member.Name}"));
            }
        }

        return problems;

        static JsonValueKind Kind(JsonElement e) => e.ValueKind is JsonValueKind.True or JsonValueKind.False ? JsonValueKind.True : e.ValueKind;
    }
}
