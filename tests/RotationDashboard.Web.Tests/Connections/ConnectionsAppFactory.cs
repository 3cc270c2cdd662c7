using System.Net.Http.Json;
using System.Text.Json;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Connections;

/// <summary>The test host with default engine settings, started: connection tests need nothing else.</summary>
public sealed class ConnectionsAppFactory : DashboardAppFactory
{
    public ConnectionsAppFactory() => StartKestrel();
}

internal static class ApiJsonAssertions
{
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static Task<HttpResponseMessage> PostRawJsonAsync(this HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string path, object body) =>
        client.PatchAsync(path, JsonContent.Create(body));
}

/// <summary>The API, service and page tests share one running app (each test uses its own connection names).</summary>
[CollectionDefinition(Name)]
public sealed class ConnectionsAppCollection : ICollectionFixture<ConnectionsAppFactory>
{
    public const string Name = "Connections app";
}
