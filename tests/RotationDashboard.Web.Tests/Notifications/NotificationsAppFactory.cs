using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Web.Tests.Rotations;
using Microsoft.Extensions.Logging;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Notifications;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Rotations;
using RotationDashboard.Web.Tests.Infrastructure;
using RotationDashboard.Web.Tests.RotationsUi;

namespace RotationDashboard.Web.Tests.Notifications;

/// <summary>
/// The dashboard on Kestrel with fast runs and fast notification retries, loopback allowed as a channel address (the
/// same outbound-address setting that allows a private Auth0 tenant), the Prometheus endpoint on, and the app's log
/// collected.
/// </summary>
public sealed class NotificationsAppFactory : DashboardAppFactory
{
    private readonly string? _otlpEndpoint;

    public NotificationsAppFactory()
        : this(null)
    {
    }

    /// <summary>The same app with the OTLP exporter (and so tracing) on.</summary>
    public static NotificationsAppFactory WithOtlp(string endpoint) => new(endpoint);

    private NotificationsAppFactory(string? otlpEndpoint)
    {
        _otlpEndpoint = otlpEndpoint;
        Settings["Sandbox:PropagationWindowSeconds"] = "0";
        Settings["Sandbox:Plan"] = "Unlimited";
        Settings["RotationEngine:VerifyTimeout"] = "00:00:02";
        Settings["RotationEngine:VerifyInitialDelay"] = "00:00:00.050";
        Settings["RotationEngine:VerifyMaxDelay"] = "00:00:00.200";
        Settings["RotationEngine:TransientRetryAttempts"] = "1";
        Settings["RotationEngine:TransientRetryBaseDelay"] = "00:00:00.050";
        Settings["RotationEngine:TransientRetryMaxDelay"] = "00:00:00.100";
        Settings["Auth0Client:BaseDelay"] = "00:00:00.010";
        Settings["Auth0Client:MaxRetryDelay"] = "00:00:00.050";
        Settings["Auth0Client:MaxRetryAttempts"] = "1";
        Settings["Auth0Client:AllowedNonPublicHosts:0"] = "127.0.0.1";
        Settings["Notifications:MaxAttempts"] = "3";
        Settings["Notifications:RetryBaseDelay"] = "00:00:00.400";
        Settings["Notifications:RetryMaxDelay"] = "00:00:05";
        Settings["Notifications:DeliveryPollInterval"] = "00:00:00.100";
        Settings["Notifications:ScanInterval"] = "00:00:01";
        Settings["Notifications:DueSoonDays"] = "40";
        ConfigureTestServices = services => services.AddSingleton<ILoggerProvider>(LogProvider);
        Address = StartKestrel();
    }

    public CapturingLoggerProvider LogProvider { get; } = new();

    /// <summary>Whether OpenTelemetry is registered is decided while Program.cs registers services: a host setting is seen then.</summary>
    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Telemetry:PrometheusEnabled", "true");
        if (_otlpEndpoint is not null) builder.UseSetting("Telemetry:OtlpEndpoint", _otlpEndpoint);
    }

    public Uri Address { get; }

    public T Get<T>() where T : notnull => AppServices.GetRequiredService<T>();

    public SandboxTenant Sandbox => Get<SandboxTenant>();

    public NotificationCenter Center => Get<NotificationCenter>();

    public async Task<RotationView> CreateRotationAsync(string name, string clientId, RotationStrategy strategy = RotationStrategy.Staged, bool autoRotation = true)
    {
        Guid projectId;
        await using (var db = await Get<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync())
        {
            projectId = await db.Projects.Where(p => p.Slug == Project.DefaultSlug).Select(p => p.Id).SingleAsync();
        }

        var connectionId = (await Get<ConnectionService>().ListAsync()).Single(c => c.Name == SandboxConnections.DefaultConnectionName).Id;
        var prefix = name.Replace('-', '_').ToUpperInvariant();
        var result = await Get<RotationService>().CreateAsync(new CreateRotationRequest
        {
            Name = name,
            Type = RotationType.Auth0ClientSecret.ToSlug(),
            Strategy = strategy,
            ConnectionId = connectionId,
            ProjectId = projectId,
            Environment = "dev",
            SecretPath = "/",
            IsAutoRotationEnabled = autoRotation,
            RotationInterval = 30,
            RotateAtUtc = new RotateAtUtc(3, 0),
            Parameters = new RotationParameters(clientId),
            SecretsMapping = new SecretsMapping($"{prefix}_CLIENT_ID", ClientSecret: $"{prefix}_CLIENT_SECRET"),
            StagedLeadTime = TimeSpan.FromSeconds(1),
            RetireGracePeriod = TimeSpan.Zero,
        }, RotationsUiAppFactory.Ada);
        Assert.True(result.Succeeded, result.ToString());
        return result.Value;
    }

    /// <summary>Waits for a condition the background workers bring about.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what ?? "a condition"}; last value: {value}");
            await Task.Delay(100);
        }
    }
}
