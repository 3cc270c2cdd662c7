using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Security;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Hosting;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.ApiTokens;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Secrets;
using RotationDashboard.Web.Tests.Infrastructure;
using RotationDashboard.Web.Tests.Rotations;

namespace RotationDashboard.Web.Tests.Api;

/// <summary>
/// The real dashboard (Program.cs) on Kestrel with the bootstrap token, the in-app sandbox tenant without a
/// propagation window or rate limit, and the engine tuned for fast tests. Every request the sandbox receives is
/// counted (to prove an operation made no Auth0 change) and every log line is kept (to prove no secret is logged).
/// Tests talk to <see cref="Address"/> only: its host is the one whose sandbox the app's connection calls.
/// </summary>
public sealed class ApiAppFactory : DashboardAppFactory
{
    public const string BootstrapToken = "BWaW2DLPp4MZ63t4Yb3qpjdtxtubzTGhUe1GgAfIe5w=";

    public ApiAppFactory()
    {
        Settings["Security:BootstrapToken"] = BootstrapToken;
        // These tests send many invalid tokens on purpose from one address; the limiter has its own tests (RateLimitTests).
        Settings["RateLimits:FailedApiAuthentication:PermitLimit"] = "100000";
        Settings["RotationEngine:VerifyTimeout"] = "00:00:03";
        Settings["RotationEngine:VerifyInitialDelay"] = "00:00:00.050";
        Settings["RotationEngine:VerifyMaxDelay"] = "00:00:00.250";
        Settings["RotationEngine:TransientRetryBaseDelay"] = "00:00:00.050";
        Settings["RotationEngine:TransientRetryMaxDelay"] = "00:00:00.200";
        Settings["RotationEngine:LeaseDuration"] = "00:00:05";
        Settings["Auth0Client:BaseDelay"] = "00:00:00.010";
        Settings["Auth0Client:MaxRetryDelay"] = "00:00:00.100";
        Settings["Auth0Client:MaxRetryAttempts"] = "2";
        Settings["Auth0Client:RequestTimeout"] = "00:00:05";
        Settings["Auth0Client:ManagementRequestsPerSecondPerTenant"] = "1000";
        Settings["Auth0Client:ManagementBurstPerTenant"] = "1000";
        Settings["Auth0Client:TokenRequestsPerSecondPerTenant"] = "1000";
        Settings["Auth0Client:TokenBurstPerTenant"] = "1000";
        Settings["Auth0Client:MaxConcurrentRequestsPerTenant"] = "16";
        Settings["Logging:LogLevel:Default"] = "Information";
        Settings["Logging:LogLevel:RotationDashboard"] = "Debug";
        ConfigureTestServices = services =>
        {
            // Program reads the Sandbox section while building, before the factory's settings apply: set the tenant directly.
            services.Configure<SandboxTenantOptions>(tenant =>
            {
                tenant.UsePlan(SandboxPlan.Unlimited);
                tenant.PropagationWindow = TimeSpan.Zero;
                tenant.StateFilePath = null;
            });
            services.AddSingleton<ILoggerProvider>(Logs);
            services.AddSingleton<IStartupFilter>(new SandboxRequestCounter(SandboxRequests));
        };
        Address = StartKestrel();
    }

    public Uri Address { get; }

    /// <summary>Requests the in-app sandbox tenant received (method and path below its mount point).</summary>
    public RequestCounter SandboxRequests { get; } = new();

    public CapturingLoggerProvider Logs { get; } = new();

    public SandboxTenant Sandbox => Get<SandboxTenant>();

    /// <summary>The in-app sandbox's base URL (token endpoint <c>{TenantUrl}oauth/token</c>).</summary>
    public Uri TenantUrl => new(Address, "sandbox-tenant/");

    public static DashboardUser Admin { get; } = new(Actor.User("ada@sandbox.test"), IsAdmin: true, new ClaimsPrincipal());

    public T Get<T>() where T : notnull => AppServices.GetRequiredService<T>();

    public HttpClient Client(string? token = BootstrapToken)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async Task<string> IssueTokenAsync(string name, params ApiTokenScope[] scopes)
    {
        var issued = await Get<ApiTokenService>().CreateAsync(name + "-" + Guid.NewGuid().ToString("N")[..6], scopes, DateTimeOffset.UtcNow.AddDays(1), Admin);
        Assert.True(issued.Succeeded, issued.ToString());
        return issued.Value.Value;
    }

    /// <summary>A new application in the sandbox tenant, so a test's rotations touch no other test's application.</summary>
    public string NewApplication(string name, SandboxAuthMethod method = SandboxAuthMethod.ClientSecretPost) =>
        Sandbox.CreateClient(name, SandboxAppType.NonInteractive, method).ClientId;

    /// <summary>The default project (some tests add another).</summary>
    public async Task<Guid> ProjectIdAsync() =>
        (await Get<SecretStoreService>().ListProjectsAsync()).Single(p => p.Slug == RotationDashboard.Core.Projects.Project.DefaultSlug).Id;

    public async Task<Guid> SandboxConnectionIdAsync()
    {
        await using var db = await CreateContextAsync();
        return await db.Connections.Where(c => c.Name == SandboxConnections.DefaultConnectionName).Select(c => c.Id).SingleAsync();
    }

    /// <summary>Creates the folder (and parents) in an environment of the default project unless it exists.</summary>
    public async Task EnsureFolderAsync(string environment, string path)
    {
        var store = Get<SecretStoreService>();
        var projectId = await ProjectIdAsync();
        if (await store.FindFolderAsync(projectId, environment, path) is not null)
        {
            return;
        }

        var environmentId = (await store.ListEnvironmentsAsync(projectId)).Single(e => e.Slug == environment).Id;
        var created = await store.CreateFolderAsync(environmentId, path, Admin.Actor);
        Assert.True(created.Succeeded, created.ToString());
    }

    public async Task<RotationDashboardDbContext> CreateContextAsync() =>
        await Get<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync();

    public async Task<int> RotationCountAsync()
    {
        await using var db = await CreateContextAsync();
        return await db.Rotations.CountAsync();
    }

    private sealed class SandboxRequestCounter(RequestCounter counter) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Path.StartsWithSegments(SandboxIntegration.MountPath, out var rest) && !rest.StartsWithSegments("/__sandbox"))
                {
                    counter.Add(context.Request.Method, rest.Value ?? "");
                }

                await nextMiddleware(context);
            });
            next(app);
        };
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
