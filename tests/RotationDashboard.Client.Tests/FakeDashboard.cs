using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RotationDashboard.Client.Tests;

/// <summary>
/// A tiny stand-in for the dashboard's consumer read API (the contract the dashboard will implement):
/// <c>GET /api/v1/consumer/secrets/{key}?projectId&amp;environment&amp;secretPath</c> with a bearer token.
/// Values can be published and changed between calls.
/// </summary>
internal sealed class FakeDashboard : IAsyncDisposable
{
    public const string ApiToken = "dashboard-api-token-7b1f0e4c9a2d4f6e8c0b";
    public const string ProjectId = "0f6c2a1e-8d4b-4c3a-9e7f-5b2d1c0a9e8f";
    public const string Environment = "dev";
    public const string SecretPath = "/payments";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Entry> _secrets = new(StringComparer.Ordinal);
    private int _version;

    private sealed record Entry(string Current, int CurrentVersion, string? Next, int? NextVersion);

    private FakeDashboard(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>Reads per secret key.</summary>
    public ConcurrentDictionary<string, int> Reads { get; } = new();

    public int TotalReads => Reads.Values.Sum();

    /// <summary>Makes the next reads fail with this status (null: answer normally).</summary>
    public int? FailWith { get; set; }

    public static async Task<FakeDashboard> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeDashboard? dashboard = null;
        app.MapGet("/api/v1/consumer/secrets/{key}", (string key, HttpContext context) => dashboard!.Read(key, context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        dashboard = new FakeDashboard(app, new Uri(address.TrimEnd('/') + "/"));
        return dashboard;
    }

    /// <summary>Publishes a secret's CURRENT and (optionally) NEXT values under new version numbers.</summary>
    public void Publish(string key, string current, string? next = null)
    {
        var currentVersion = Interlocked.Increment(ref _version);
        int? nextVersion = next is null ? null : Interlocked.Increment(ref _version);
        _secrets[key] = new Entry(current, currentVersion, next, nextVersion);
    }

    public void Remove(string key) => _secrets.TryRemove(key, out _);

    public DashboardCredentialSourceOptions Options(DashboardSecretKeys? keys = null, string apiToken = ApiToken) =>
        new DashboardCredentialSourceOptions
        {
            Url = Url,
            ApiToken = apiToken,
            ProjectId = ProjectId,
            Environment = Environment,
            SecretPath = SecretPath,
            MinRefreshInterval = TimeSpan.Zero,
        }.UseKeys(keys ?? DashboardSecretKeys.ClientSecret());

    private IResult Read(string key, HttpContext context)
    {
        Reads.AddOrUpdate(key, 1, (_, count) => count + 1);
        if (FailWith is { } status)
            return Results.Problem(statusCode: status, title: "Injected failure");
        if (context.Request.Headers.Authorization.ToString() != "Bearer " + ApiToken)
            return Results.Problem(statusCode: 401, title: "Unauthorized", detail: "Invalid API token");
        var query = context.Request.Query;
        if (query["projectId"] != ProjectId || query["environment"] != Environment || query["secretPath"] != SecretPath)
            return Results.Problem(statusCode: 403, title: "Forbidden", detail: "The token is not scoped to this path");
        if (!_secrets.TryGetValue(key, out var entry))
            return Results.Problem(statusCode: 404, title: "Not Found", detail: $"Secret {key} not found");

        return Results.Json(new
        {
            secret = new
            {
                key,
                projectId = ProjectId,
                environment = Environment,
                secretPath = SecretPath,
                current = new { value = entry.Current, versionId = Guid.NewGuid(), version = entry.CurrentVersion, createdAt = "2026-11-21T10:00:00Z" },
                next = entry.Next is null
                    ? null
                    : new { value = entry.Next, versionId = Guid.NewGuid(), version = entry.NextVersion!.Value, createdAt = "2026-11-21T11:00:00Z" },
                updatedAt = "2026-11-21T11:00:00Z",
            },
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
