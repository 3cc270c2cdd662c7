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
/// A tiny stand-in for the dashboard's consumer read API (the contract the dashboard implements), with a bearer token and
/// <c>?projectId&amp;environment&amp;secretPath</c>: <c>GET /api/v1/consumer/secrets/{key}</c> and
/// <c>GET /api/v1/consumer/credential-sets/{key}</c>, which answers for the secrets of the <see cref="CredentialSets"/>
/// (the default names of a client secret and of a Private Key JWT rotation) that are published.
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

    /// <summary>Reads per secret key: a credential-set read counts as one read of each secret whose value it returned.</summary>
    public ConcurrentDictionary<string, int> Reads { get; } = new();

    /// <summary>Credential-set requests (answered or not).</summary>
    public int CredentialSetRequests => Volatile.Read(ref _credentialSetRequests);

    /// <summary>False: behave like a dashboard from before the credential-set read (its route is unknown: 404).</summary>
    public bool ServesCredentialSets { get; set; } = true;

    /// <summary>The rotations' secret names; a credential-set read by any of a set's names answers that set.</summary>
    public List<DashboardSecretKeys> CredentialSets { get; } = [DashboardSecretKeys.ClientSecret(), DashboardSecretKeys.PrivateKey()];

    /// <summary>Requests of a single secret (<c>/secrets/{key}</c>).</summary>
    public int SecretRequests => Volatile.Read(ref _secretRequests);

    private int _credentialSetRequests;
    private int _secretRequests;

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
        app.MapGet("/api/v1/consumer/credential-sets/{key}", (string key, HttpContext context) => dashboard!.ReadCredentialSet(key, context));
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

    private IResult? Refusal(HttpContext context)
    {
        if (FailWith is { } status)
            return Results.Problem(statusCode: status, title: "Injected failure");
        if (context.Request.Headers.Authorization.ToString() != "Bearer " + ApiToken)
            return Results.Problem(statusCode: 401, title: "Unauthorized", detail: "Invalid API token");
        var query = context.Request.Query;
        if (query["projectId"] != ProjectId || query["environment"] != Environment || query["secretPath"] != SecretPath)
            return Results.Problem(statusCode: 403, title: "Forbidden", detail: "The token is not scoped to this path");
        return null;
    }

    private IResult ReadCredentialSet(string key, HttpContext context)
    {
        Interlocked.Increment(ref _credentialSetRequests);
        if (!ServesCredentialSets)
            return Results.NotFound();
        if (FailWith is not null)
            Reads.AddOrUpdate(key, 1, (_, count) => count + 1);
        if (Refusal(context) is { } refusal)
            return refusal;
        var set = CredentialSets.FirstOrDefault(s => new[] { s.ClientIdKey, s.ClientSecretKey, s.PrivateKeyKey, s.KeyIdKey }.Contains(key));
        var credentialKey = set?.ClientSecretKey ?? set?.PrivateKeyKey;
        if (set is null || !_secrets.TryGetValue(credentialKey!, out var credential))
            return Results.Problem(statusCode: 404, title: "Not Found", detail: $"Secret {key} is not managed by a rotation");

        // One snapshot of the published entries, each counted as read once.
        var entries = new[] { set.ClientIdKey, credentialKey, set.KeyIdKey }.OfType<string>()
            .Select(k => (Key: k, Entry: _secrets.GetValueOrDefault(k)))
            .Where(e => e.Entry is not null)
            .ToDictionary(e => e.Key, e => e.Entry!);
        foreach (var read in entries.Keys)
            Reads.AddOrUpdate(read, 1, (_, count) => count + 1);

        string? Current(string? k) => k is not null && entries.TryGetValue(k, out var e) ? e.Current : null;
        string? Next(string? k) => k is not null && entries.TryGetValue(k, out var e) ? e.Next ?? e.Current : null;
        object Credential(Func<string?, string?> value, int version) => new
        {
            version,
            versionId = Guid.NewGuid(),
            clientId = value(set.ClientIdKey),
            clientSecret = value(set.ClientSecretKey),
            privateKey = value(set.PrivateKeyKey),
            keyId = value(set.KeyIdKey),
            createdAt = "2026-11-21T10:00:00Z",
        };
        return Results.Json(new
        {
            credentialSet = new
            {
                rotationId = Guid.NewGuid(),
                type = set.ClientSecretKey is null ? "auth0-private-key-jwt" : "auth0-client-secret",
                projectId = ProjectId,
                environment = Environment,
                secretPath = SecretPath,
                version = credential.CurrentVersion,
                secretsMapping = new { clientId = set.ClientIdKey, clientSecret = set.ClientSecretKey, privateKey = set.PrivateKeyKey, keyId = set.KeyIdKey },
                current = Credential(Current, credential.CurrentVersion),
                next = entries.Values.Any(e => e.Next is not null) ? Credential(Next, credential.NextVersion ?? credential.CurrentVersion) : null,
                updatedAt = "2026-11-21T11:00:00Z",
            },
        });
    }

    private IResult Read(string key, HttpContext context)
    {
        Interlocked.Increment(ref _secretRequests);
        Reads.AddOrUpdate(key, 1, (_, count) => count + 1);
        if (Refusal(context) is { } refusal)
            return refusal;
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
