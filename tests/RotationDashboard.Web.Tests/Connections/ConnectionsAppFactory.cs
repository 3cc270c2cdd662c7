using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RotationDashboard.Core.Audit;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Connections;

/// <summary>
/// The dashboard on Kestrel, exposing the services of the host that serves the real port: its sandbox tenant is the
/// one the app's connections talk to (the in-memory test host has its own).
/// </summary>
public sealed class ConnectionsAppFactory : DashboardAppFactory
{
    public ConnectionsAppFactory()
    {
        Address = StartKestrel();
    }

    public Uri Address { get; }

    /// <summary>The in-app sandbox's base address, as a user would type it.</summary>
    public string SandboxDomain => new Uri(Address, "sandbox-tenant").AbsoluteUri;

    public static DashboardUser Ada { get; } = new(Actor.User(SandboxSignIn.Admin), IsAdmin: true, new ClaimsPrincipal());

    public static DashboardUser Victor { get; } = new(Actor.User(SandboxSignIn.Viewer), IsAdmin: false, new ClaimsPrincipal());

    public T Get<T>() where T : notnull => AppServices.GetRequiredService<T>();
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
