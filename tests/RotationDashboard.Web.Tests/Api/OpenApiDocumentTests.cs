using RotationDashboard.Testing;
using System.Net;
using System.Text.Json;

namespace RotationDashboard.Web.Tests.Api;

/// <summary>The OpenAPI document at /openapi/v1.json: served without a token, every API route in it, bearer security.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
[Collection(ApiAppCollection.Name)]
public sealed class OpenApiDocumentTests(ApiAppFactory app)
{
    [Fact]
    public async Task The_document_is_served_anonymously_and_describes_every_route_with_bearer_security()
    {
        using var anonymous = app.Client(token: null);
        var response = await anonymous.GetAsync("openapi/v1.json");
        var document = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal(("http", "bearer"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString()));
        Assert.Contains("single-phase", document.GetProperty("info").GetProperty("description").GetString());

        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (Key: $"{op.Name.ToUpperInvariant()} {path.Name}", Operation: op.Value)))
            .ToDictionary(o => o.Key, o => o.Operation);
        foreach (var type in new[] { "auth0-client-secret", "auth0-private-key-jwt" })
        {
            var basePath = "/api/v2/secret-rotations/" + type;
            foreach (var expected in new[]
                     {
                         $"POST {basePath}", $"GET {basePath}", $"GET {basePath}/{{rotationId}}", $"GET {basePath}/rotation-name/{{rotationName}}",
                         $"PATCH {basePath}/{{rotationId}}", $"DELETE {basePath}/{{rotationId}}", $"POST {basePath}/{{rotationId}}/rotate-secrets",
                         $"GET {basePath}/{{rotationId}}/generated-credentials", $"GET {basePath}/{{rotationId}}/runs", $"GET {basePath}/{{rotationId}}/runs/{{runId}}",
                     })
            {
                Assert.True(operations.ContainsKey(expected), $"{expected} is not in the document.");
            }
        }

        foreach (var expected in new[]
                 {
                     "GET /api/v2/secret-rotations/options", "GET /api/v2/secret-rotations", "GET /api/v1/consumer/secrets/{key}", "GET /api/v1/consumer/secrets",
                     "GET /api/v1/consumer/credential-sets/{key}", "GET /api/v1/projects",
                     "GET /api/v1/app-connections/auth0", "POST /api/v1/app-connections/auth0", "PATCH /api/v1/app-connections/auth0/{id}",
                     "DELETE /api/v1/app-connections/auth0/{id}", "GET /api/v1/app-connections/auth0/{id}/clients", "POST /api/v1/app-connections/auth0/{id}/validate",
                     "POST /api/v1/auth/universal-auth/login", "POST /api/v1/auth/token/renew",
                     "GET /api/v3/secrets/raw", "GET /api/v3/secrets/raw/{secretName}", "GET /api/v4/secrets", "GET /api/v4/secrets/{secretName}",
                     "GET /api/v1/identities", "POST /api/v1/identities", "GET /api/v1/identities/{id}", "DELETE /api/v1/identities/{id}",
                     "GET /api/v1/auth/universal-auth/identities/{id}/client-secrets", "POST /api/v1/auth/universal-auth/identities/{id}/client-secrets",
                     "POST /api/v1/auth/universal-auth/identities/{id}/client-secrets/{clientSecretId}/revoke",
                 })
        {
            Assert.True(operations.ContainsKey(expected), $"{expected} is not in the document.");
        }

        Assert.DoesNotContain(operations.Keys, k => k.Contains("/sandbox-tenant", StringComparison.Ordinal) || k.Contains("/account/", StringComparison.Ordinal));
        // Universal Auth's login and renew take the credential in the body: no bearer token, no 401 for a missing one.
        var anonymousOperations = new[] { "POST /api/v1/auth/universal-auth/login", "POST /api/v1/auth/token/renew" };
        Assert.All(anonymousOperations, o => Assert.False(operations[o].TryGetProperty("security", out var none) && none.GetArrayLength() > 0, o));
        Assert.All(anonymousOperations, o => Assert.True(operations[o].GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _), o));
        Assert.All(operations.Where(o => !anonymousOperations.Contains(o.Key)), o =>
        {
            Assert.True(o.Value.TryGetProperty("security", out var security) && security.GetArrayLength() > 0, $"{o.Key} has no security requirement.");
            Assert.True(o.Value.GetProperty("responses").TryGetProperty("401", out _), $"{o.Key} documents no 401.");
        });

        var create = operations["POST /api/v2/secret-rotations/auth0-client-secret"];
        Assert.Contains("single-phase", create.GetProperty("description").GetString());
        Assert.Contains("rotations:write", create.GetProperty("description").GetString());
        Assert.Equal("#/components/schemas/CreateSecretRotationRequest",
            create.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        var rotation = document.GetProperty("components").GetProperty("schemas").GetProperty("SecretRotationDto").GetProperty("properties");
        foreach (var member in new[] { "id", "name", "secretsMapping", "rotateAtUtc", "lastRotationJobId", "connection", "environment", "folder", "strategy" })
        {
            Assert.True(rotation.TryGetProperty(member, out _), $"SecretRotationDto lacks {member}.");
        }

        var credentialSet = operations["GET /api/v1/consumer/credential-sets/{key}"];
        Assert.Contains("secrets:read", credentialSet.GetProperty("description").GetString());
        Assert.Contains("one snapshot", credentialSet.GetProperty("description").GetString());
        Assert.True(credentialSet.GetProperty("responses").TryGetProperty("404", out _));
        var set = document.GetProperty("components").GetProperty("schemas").GetProperty("ConsumerCredentialSetDto").GetProperty("properties");
        foreach (var member in new[] { "rotationId", "type", "version", "secretsMapping", "current", "next" })
        {
            Assert.True(set.TryGetProperty(member, out _), $"ConsumerCredentialSetDto lacks {member}.");
        }

        Assert.Contains("one snapshot", operations["GET /api/v1/consumer/secrets"].GetProperty("description").GetString());

        var runStatus = document.GetProperty("components").GetProperty("schemas").GetProperty("RunStatus");
        Assert.Contains("rolledBack", runStatus.GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }
}
