using System.Text.Json;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Api;

/// <summary>
/// The test host with the bootstrap token, the engine tuned for fast tests against an instant sandbox, and
/// verbose logs (so tests can prove no secret is logged at any level).
/// </summary>
public sealed class ApiAppFactory : DashboardAppFactory
{
    public ApiAppFactory()
    {
        UseBootstrapToken();
        UseFastEngine();
        UseInstantSandbox();
        LogVerbosely();
        // These tests send many invalid tokens on purpose from one address; the limiter has its own tests (RateLimitTests).
        Settings["RateLimits:FailedApiAuthentication:PermitLimit"] = "100000";
        StartKestrel();
    }
}

/// <summary>The rotation, consumer and end-to-end API tests share one running app (each test uses its own names and paths).</summary>
[CollectionDefinition(Name)]
public sealed class ApiAppCollection : ICollectionFixture<ApiAppFactory>
{
    public const string Name = "API app";
}

internal static class ApiTestJson
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new Xunit.Sdk.XunitException($"Not JSON ({(int)response.StatusCode}): {text}");
        }
    }

    public static Task<HttpResponseMessage> PostJsonTextAsync(this HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> PatchJsonTextAsync(this HttpClient client, string path, string json) =>
        client.PatchAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    /// <summary>Asserts a problem-details answer with <paramref name="status"/>; returns its body.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(status, json.GetProperty("status").GetInt32());
        return json;
    }
}
