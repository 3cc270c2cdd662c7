using RotationDashboard.Testing;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Security;
using RotationDashboard.Sandbox;

namespace RotationDashboard.Web.Tests.Api;

/// <summary>
/// What Infisical's own clients (its Terraform provider, Node SDK, CLI) need from the rotation and app-connection
/// APIs: error bodies with <c>statusCode</c>, <c>message</c>, <c>error</c> and <c>reqId</c> next to problem details,
/// upstream's status codes, a create that fails without leaving anything, PATCH that ignores unchanged immutable
/// members, never-null status fields with millisecond timestamps, and the app-connection list routes.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
[Collection(ApiAppCollection.Name)]
public sealed class InfisicalCompatibilityTests(ApiAppFactory app)
{
    private const string Api = "api/v2/secret-rotations/auth0-client-secret";
    private const string Connections = "api/v1/app-connections";

    /// <summary>Both vocabularies: RFC 7807 (status, title) and Infisical's members, the reqId also in the log.</summary>
    internal static async Task<JsonElement> AssertErrorAsync(HttpResponseMessage response, int status, string error, ApiAppFactory? logs = null)
    {
        var body = await response.AssertProblemAsync(status);
        Assert.Equal(status, body.GetProperty("statusCode").GetInt32());
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("message").GetString()), body.ToString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("title").GetString()), body.ToString());
        var reqId = body.GetProperty("reqId").GetString();
        Assert.Matches("^[0-9a-f]{32}$", reqId);
        if (logs is not null)
        {
            Assert.Contains(logs.Logs.Entries, e => e.Message.Contains(reqId!, StringComparison.Ordinal));
        }

        return body;
    }

    [Fact]
    public async Task Every_kind_of_error_carries_statusCode_message_error_and_reqId()
    {
        using var admin = app.Client();
        using var anonymous = app.Client(token: null);
        var reader = await app.IssueTokenAsync("infisical-reader", new ApiTokenScope(ApiPermissions.ConnectionsRead));
        using var connectionsReader = app.Client(reader);
        var projectId = await app.ProjectIdAsync();

        // 400 validation: message lists the per-field messages.
        var invalid = await AssertErrorAsync(await admin.PostJsonTextAsync(Api, """{"name": "Not A Slug", "rotationInterval": 0}"""), 400, "ValidationFailure", app);
        Assert.True(invalid.GetProperty("errors").TryGetProperty("name", out _));
        Assert.Contains("name:", invalid.GetProperty("message").GetString());
        Assert.Contains("rotationInterval:", invalid.GetProperty("message").GetString());

        // 400 malformed body and wrong types, bound by the framework: the same field-level answer.
        var malformed = await AssertErrorAsync(await admin.PostJsonTextAsync(Api, """{"rotateAtUtc": {"hours": "noon"}}"""), 400, "ValidationFailure");
        Assert.True(malformed.GetProperty("errors").TryGetProperty("rotateAtUtc.hours", out _), malformed.ToString());

        await AssertErrorAsync(await anonymous.GetAsync($"{Api}?projectId={projectId}"), 401, "Unauthorized", app);
        await AssertErrorAsync(await connectionsReader.GetAsync($"{Api}?projectId={projectId}"), 403, "PermissionDenied");
        await AssertErrorAsync(await admin.GetAsync($"{Api}/{Guid.NewGuid()}"), 404, "NotFound");
        await AssertErrorAsync(await admin.GetAsync("api/v2/no-such-route"), 404, "NotFound");
        await AssertErrorAsync(await admin.PostAsync(Api, new StringContent("name=x")), 415, "UnsupportedMediaType");

        // A client that accepts only text still gets the JSON members (Infisical's clients send no Accept header at all).
        using var textOnly = new HttpRequestMessage(HttpMethod.Get, $"{Api}/{Guid.NewGuid()}");
        textOnly.Headers.Accept.ParseAdd("text/plain");
        await AssertErrorAsync(await admin.SendAsync(textOnly), 404, "NotFound");
    }

    [Fact]
    public async Task A_create_whose_first_issuance_fails_answers_400_with_the_reason_and_leaves_nothing_behind()
    {
        using var client = app.Client();
        var application = app.NewApplication("First issuance fails");
        var secretBefore = app.Sandbox.GetClientSecret(application);
        var rotations = await app.RotationCountAsync();
        await app.EnsureFolderAsync("dev", "/first-issuance");
        var body = await RequestAsync("first-issuance-fails", application, "/first-issuance", "FIRST_ISSUANCE_ID", "FIRST_ISSUANCE_SECRET");

        app.Sandbox.AddFailure(new SandboxFailureRule("PATCH", "/api/v2/clients/*", 400,
            """{"statusCode":400,"error":"Bad Request","message":"Injected refusal","errorCode":"invalid_body"}""", Times: 1000));
        HttpResponseMessage response;
        try
        {
            response = await client.PostJsonTextAsync(Api, body);
        }
        finally
        {
            app.Sandbox.SetFaults(SandboxFaults.None);
        }

        var problem = await AssertErrorAsync(response, 400, "BadRequest", app);
        Assert.Contains("encountered an issue while generating credentials", problem.GetProperty("message").GetString());
        Assert.Contains("Nothing was created", problem.GetProperty("detail").GetString());
        Assert.Equal(rotations, await app.RotationCountAsync());
        Assert.Equal(secretBefore, app.Sandbox.GetClientSecret(application));
        await using (var db = await app.CreateContextAsync())
        {
            Assert.False(await db.Secrets.AnyAsync(s => s.Key == "FIRST_ISSUANCE_ID" || s.Key == "FIRST_ISSUANCE_SECRET"));
            var audit = await db.AuditEvents.Where(e => e.TargetName == "first-issuance-fails").Select(e => e.Action).ToListAsync();
            Assert.Contains(AuditActions.RotationCreate, audit);
            Assert.Contains(AuditActions.RotationDelete, audit);
        }

        // Once Auth0 accepts the change, the same request creates the rotation.
        var retried = await client.PostJsonTextAsync(Api, body);
        Assert.True(retried.StatusCode == HttpStatusCode.OK, await retried.Content.ReadAsStringAsync());
        var id = (await retried.JsonAsync()).GetProperty("secretRotation").GetProperty("id").GetString();
        await client.DeleteAsync($"{Api}/{id}?deleteSecrets=true");
    }

    [Fact]
    public async Task Rotate_secrets_answers_secretRotation_and_upstream_codes_and_responses_carry_never_null_fields_with_milliseconds()
    {
        using var client = app.Client();
        await app.EnsureFolderAsync("dev", "/upstream-codes");
        var created = await client.PostJsonTextAsync(Api, await RequestAsync("upstream-codes", app.NewApplication("Upstream codes"), "/upstream-codes", "CODES_ID", "CODES_SECRET"));
        var rotation = (await created.JsonAsync()).GetProperty("secretRotation");
        var id = rotation.GetProperty("id").GetString();
        foreach (var member in new[] { "createdAt", "updatedAt", "lastRotationAttemptedAt", "lastRotatedAt", "nextRotationAt" })
        {
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", rotation.GetProperty(member).GetString());
        }

        Assert.Equal("success", rotation.GetProperty("rotationStatus").GetString());
        Assert.True(rotation.GetProperty("isLastRotationManual").GetBoolean());

        var rotated = await client.PostAsync($"{Api}/{id}/rotate-secrets", null);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.Equal(id, (await rotated.JsonAsync()).GetProperty("secretRotation").GetProperty("id").GetString());

        // A failed rotation is upstream's 500 with the reason; the rotation stays and says it failed.
        app.Sandbox.AddFailure(new SandboxFailureRule("PATCH", "/api/v2/clients/*", 400,
            """{"statusCode":400,"error":"Bad Request","message":"Injected refusal","errorCode":"invalid_body"}""", Times: 1000));
        HttpResponseMessage failed;
        try
        {
            failed = await client.PostAsync($"{Api}/{id}/rotate-secrets", null);
        }
        finally
        {
            app.Sandbox.SetFaults(SandboxFaults.None);
        }

        var problem = await AssertErrorAsync(failed, 500, "InternalServerError", app);
        Assert.Contains("failed", problem.GetProperty("message").GetString());
        var after = (await (await client.GetAsync($"{Api}/{id}")).JsonAsync()).GetProperty("secretRotation");
        Assert.Equal("failed", after.GetProperty("rotationStatus").GetString());
        Assert.NotEqual(JsonValueKind.Null, after.GetProperty("lastRotatedAt").ValueKind);

        await client.DeleteAsync($"{Api}/{id}?deleteSecrets=true");
    }

    [Fact]
    public async Task Patch_ignores_immutable_members_sent_with_their_current_values_and_explains_other_values()
    {
        using var client = app.Client();
        await app.EnsureFolderAsync("dev", "/terraform-patch");
        var created = await client.PostJsonTextAsync(Api, await RequestAsync("terraform-patch", app.NewApplication("Terraform patch"), "/terraform-patch", "TF_ID", "TF_SECRET"));
        var rotation = (await created.JsonAsync()).GetProperty("secretRotation");
        var id = rotation.GetProperty("id").GetString();

        // What Terraform sends on every update: the whole resource.
        var same = await client.PatchJsonTextAsync($"{Api}/{id}", $$"""
            {"description": "from terraform", "connectionId": "{{rotation.GetProperty("connectionId").GetString()}}",
             "projectId": "{{rotation.GetProperty("projectId").GetString()}}", "environment": "dev", "secretPath": "/terraform-patch/"}
            """);
        Assert.True(same.StatusCode == HttpStatusCode.OK, await same.Content.ReadAsStringAsync());
        Assert.Equal("from terraform", (await same.JsonAsync()).GetProperty("secretRotation").GetProperty("description").GetString());

        var moved = await client.PatchJsonTextAsync($"{Api}/{id}", $$"""{"connectionId": "{{Guid.NewGuid()}}", "projectId": "{{Guid.NewGuid()}}"}""");
        var refused = await AssertErrorAsync(moved, 400, "ValidationFailure");
        Assert.Contains("cannot be changed", refused.GetProperty("errors").GetProperty("connectionId")[0].GetString());
        Assert.Contains("sandbox-tenant", refused.GetProperty("errors").GetProperty("connectionId")[0].GetString());
        Assert.True(refused.GetProperty("errors").TryGetProperty("projectId", out _));

        await client.DeleteAsync($"{Api}/{id}?deleteSecrets=true");
    }

    [Fact]
    public async Task App_connection_routes_answer_in_infisicals_shapes()
    {
        using var client = app.Client();
        var projectId = await app.ProjectIdAsync();
        var sandboxId = (await app.SandboxConnectionIdAsync()).ToString();

        var options = (await client.GetAsync($"{Connections}/options")).JsonAsync();
        var option = Assert.Single((await options).GetProperty("appConnectionOptions").EnumerateArray());
        Assert.Equal(("Auth0", "auth0"), (option.GetProperty("name").GetString(), option.GetProperty("app").GetString()));
        Assert.Equal("client-credentials", Assert.Single(option.GetProperty("methods").EnumerateArray()).GetString());

        foreach (var path in new[] { Connections, $"{Connections}?projectId={projectId}" })
        {
            var list = await (await client.GetAsync(path)).JsonAsync();
            var sandbox = Assert.Single(list.GetProperty("appConnections").EnumerateArray(), c => c.GetProperty("id").GetString() == sandboxId);
            Assert.Equal("auth0", sandbox.GetProperty("app").GetString());
            Assert.Equal(JsonValueKind.Object, sandbox.GetProperty("credentials").ValueKind);
            Assert.False(sandbox.GetProperty("credentials").TryGetProperty("clientSecret", out _));
            Assert.True(sandbox.TryGetProperty("description", out _));
            Assert.True(sandbox.TryGetProperty("projectId", out _));
        }

        var available = await (await client.GetAsync($"{Connections}/auth0/available?projectId={projectId}")).JsonAsync();
        var item = Assert.Single(available.GetProperty("appConnections").EnumerateArray(), c => c.GetProperty("id").GetString() == sandboxId);
        Assert.Equal(("auth0", "sandbox-tenant"), (item.GetProperty("app").GetString(), item.GetProperty("name").GetString()));

        var byName = await (await client.GetAsync($"{Connections}/auth0/connection-name/sandbox-tenant")).JsonAsync();
        Assert.Equal(sandboxId, byName.GetProperty("appConnection").GetProperty("id").GetString());
    }

    [Fact]
    public async Task Bad_input_to_the_app_connection_routes_is_a_clear_error_in_both_vocabularies_and_writes_nothing()
    {
        using var client = app.Client();
        await using var before = await app.CreateContextAsync();
        var connections = await before.Connections.CountAsync();

        foreach (var path in new[] { $"{Connections}?projectId=default", $"{Connections}/auth0/available?projectId=not-a-uuid" })
        {
            var problem = await AssertErrorAsync(await client.GetAsync(path), 400, "ValidationFailure");
            Assert.True(problem.GetProperty("errors").TryGetProperty("projectId", out _), problem.ToString());
        }

        foreach (var path in new[] { $"{Connections}?projectId={Guid.NewGuid()}", $"{Connections}/auth0/available?projectId={Guid.NewGuid()}" })
        {
            await AssertErrorAsync(await client.GetAsync(path), 404, "NotFound");
        }

        var notSlug = await AssertErrorAsync(await client.GetAsync($"{Connections}/auth0/connection-name/Not%20A%20Slug"), 400, "ValidationFailure");
        Assert.True(notSlug.GetProperty("errors").TryGetProperty("connectionName", out _));
        await AssertErrorAsync(await client.GetAsync($"{Connections}/auth0/connection-name/no-such-connection"), 404, "NotFound");

        // description and projectId on create are validated before Auth0 is asked.
        var tooLong = await client.PostJsonTextAsync($"{Connections}/auth0", $$"""
            {"name": "described", "method": "client-credentials", "description": "{{new string('d', 257)}}",
             "credentials": {"domain": "{{app.TenantUrl}}", "clientId": "{{SandboxSeed.DashboardClientId}}", "clientSecret": "x"} }
            """);
        var tooLongProblem = await AssertErrorAsync(tooLong, 400, "ValidationFailure");
        Assert.True(tooLongProblem.GetProperty("errors").TryGetProperty("description", out _), tooLongProblem.ToString());
        var unknownProject = await client.PostJsonTextAsync($"{Connections}/auth0", $$"""
            {"name": "described", "projectId": "{{Guid.NewGuid()}}", "credentials": {"domain": "{{app.TenantUrl}}", "clientId": "x", "clientSecret": "x"} }
            """);
        var unknownProjectProblem = await AssertErrorAsync(unknownProject, 400, "ValidationFailure");
        Assert.True(unknownProjectProblem.GetProperty("errors").TryGetProperty("projectId", out _));

        await using var after = await app.CreateContextAsync();
        Assert.Equal(connections, await after.Connections.CountAsync());
    }

    [Fact]
    public async Task Connection_description_and_projectId_are_accepted_returned_and_filter_the_project_lists()
    {
        using var client = app.Client();
        var projectId = await app.ProjectIdAsync();
        var created = await client.PostJsonTextAsync($"{Connections}/auth0", $$"""
            {"name": "described-{{Guid.NewGuid().ToString("N")[..8]}}", "method": "client-credentials", "description": "for the payments team",
             "projectId": "{{projectId}}", "isSandbox": true,
             "credentials": {"domain": "{{app.TenantUrl}}", "clientId": "{{SandboxSeed.DashboardClientId}}", "clientSecret": "{{SandboxSeed.DefaultDashboardClientSecret}}"} }
            """);
        var body = await created.JsonAsync();
        Assert.True(created.StatusCode == HttpStatusCode.OK, body.ToString());
        var connection = body.GetProperty("appConnection");
        Assert.Equal("for the payments team", connection.GetProperty("description").GetString());
        Assert.Equal(projectId.ToString(), connection.GetProperty("projectId").GetString());
        var id = connection.GetProperty("id").GetString();

        var patched = await (await client.PatchJsonTextAsync($"{Connections}/auth0/{id}", """{"description": ""}""")).JsonAsync();
        Assert.Equal(JsonValueKind.Null, patched.GetProperty("appConnection").GetProperty("description").ValueKind);

        var mine = await (await client.GetAsync($"{Connections}?projectId={projectId}")).JsonAsync();
        Assert.Contains(mine.GetProperty("appConnections").EnumerateArray(), c => c.GetProperty("id").GetString() == id);

        await client.DeleteAsync($"{Connections}/auth0/{id}");
    }

    private async Task<string> RequestAsync(string name, string clientId, string path, string idName, string secretName) => $$"""
        {
          "name": "{{name}}",
          "projectId": "{{await app.ProjectIdAsync()}}",
          "connectionId": "{{await app.SandboxConnectionIdAsync()}}",
          "environment": "dev",
          "secretPath": "{{path}}",
          "isAutoRotationEnabled": true,
          "rotationInterval": 30,
          "parameters": {"clientId": "{{clientId}}"},
          "secretsMapping": {"clientId": "{{idName}}", "clientSecret": "{{secretName}}"}
        }
        """;
}

/// <summary>The rate limiter's 429 carries Infisical's members too.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class InfisicalRateLimitErrorTests : IClassFixture<Security.RateLimitTests.Factory>
{
    private readonly Security.RateLimitTests.Factory _app;

    public InfisicalRateLimitErrorTests(Security.RateLimitTests.Factory app)
    {
        _app = app;
        _app.StartKestrel();
    }

    [Fact]
    public async Task A_rate_limited_api_request_is_a_429_with_statusCode_message_error_and_reqId()
    {
        using var client = _app.CreateClient(new() { AllowAutoRedirect = false });
        for (var i = 0; i < 3; i++)
        {
            using var failed = await SendAsync(client, "rdt_guessed" + i);
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var blocked = await SendAsync(client, DashboardAppFactory.BootstrapToken);
        var body = await blocked.AssertProblemAsync(429);
        Assert.Equal(("RateLimitExceeded", 429), (body.GetProperty("error").GetString(), body.GetProperty("statusCode").GetInt32()));
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("message").GetString()));
        Assert.Matches("^[0-9a-f]{32}$", body.GetProperty("reqId").GetString());
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/projects");
        request.Headers.Add("X-Forwarded-For", "203.0.113.40");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }
}

/// <summary>The OpenAPI document describes the app-connection routes and the error members.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
[Collection(ApiAppCollection.Name)]
public sealed class InfisicalOpenApiTests(ApiAppFactory app)
{
    [Fact]
    public async Task The_document_describes_the_app_connection_routes_and_infisicals_error_members()
    {
        using var anonymous = app.Client(token: null);
        var document = await (await anonymous.GetAsync("openapi/v1.json")).JsonAsync();
        var paths = document.GetProperty("paths");
        foreach (var path in new[]
                 {
                     "/api/v1/app-connections", "/api/v1/app-connections/options", "/api/v1/app-connections/auth0/available",
                     "/api/v1/app-connections/auth0/connection-name/{connectionName}",
                 })
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is not in the document.");
            Assert.True(item.TryGetProperty("get", out var operation), $"GET {path} is not in the document.");
            Assert.True(operation.GetProperty("responses").TryGetProperty("200", out _), $"GET {path} documents no 200.");
            Assert.Contains("connections:read", operation.GetProperty("description").GetString());
        }

        var problem = document.GetProperty("components").GetProperty("schemas").GetProperty("ProblemDetails").GetProperty("properties");
        foreach (var member in new[] { "statusCode", "message", "error", "reqId" })
        {
            Assert.True(problem.TryGetProperty(member, out _), $"ProblemDetails lacks {member}.");
        }

        var connection = document.GetProperty("components").GetProperty("schemas").GetProperty("AppConnectionDto").GetProperty("properties");
        Assert.True(connection.TryGetProperty("description", out _) && connection.TryGetProperty("projectId", out _));
    }
}
