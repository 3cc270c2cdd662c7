using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Notifications;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Tests.Infrastructure;

/// <summary>
/// The dashboard with the fast engine, an instant sandbox, fast notification retries, loopback allowed as a channel
/// address (the same outbound-address setting that allows a private Auth0 tenant) and the Prometheus endpoint on.
/// </summary>
public sealed class NotificationsAppFactory : DashboardAppFactory
{
    private readonly string? _otlpEndpoint;

    public NotificationsAppFactory()
        : this(null)
    {
    }

    private NotificationsAppFactory(string? otlpEndpoint)
    {
        _otlpEndpoint = otlpEndpoint;
        UseFastEngine();
        UseInstantSandbox();
        Settings["Auth0Client:AllowedNonPublicHosts:0"] = "127.0.0.1";
        Settings["Notifications:MaxAttempts"] = "3";
        Settings["Notifications:RetryBaseDelay"] = "00:00:00.400";
        Settings["Notifications:RetryMaxDelay"] = "00:00:05";
        Settings["Notifications:DeliveryPollInterval"] = "00:00:00.100";
        Settings["Notifications:ScanInterval"] = "00:00:01";
        Settings["Notifications:DueSoonDays"] = "40";
        StartKestrel();
    }

    /// <summary>The same app with the OTLP exporter (and so tracing) on.</summary>
    public static NotificationsAppFactory WithOtlp(string endpoint) => new(endpoint);

    public NotificationCenter Center => Get<NotificationCenter>();

    /// <summary>Whether OpenTelemetry is registered is decided while Program.cs registers services: a host setting is seen then.</summary>
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Telemetry:PrometheusEnabled", "true");
        if (_otlpEndpoint is not null) builder.UseSetting("Telemetry:OtlpEndpoint", _otlpEndpoint);
    }

    public async Task<RotationView> CreateRotationAsync(string name, string clientId, RotationStrategy strategy = RotationStrategy.Staged, bool autoRotation = true)
    {
        var prefix = name.Replace('-', '_').ToUpperInvariant();
        var result = await Get<RotationDashboard.Web.Application.Rotations.CreateRotation>().ExecuteAsync(new CreateRotationRequest
        {
            Settings = new RotationSettings
            {
                Name = name,
                Type = RotationType.Auth0ClientSecret,
                Strategy = strategy,
                ConnectionId = await SandboxConnectionIdAsync(),
                ProjectId = await DefaultProjectIdAsync(),
                IsAutoRotationEnabled = autoRotation,
                RotationInterval = 30,
                RotateAtUtc = new RotateAtUtc(3, 0),
                Parameters = new RotationParameters(clientId),
                SecretsMapping = new SecretsMapping($"{prefix}_CLIENT_ID", ClientSecret: $"{prefix}_CLIENT_SECRET"),
                StagedLeadTime = TimeSpan.FromSeconds(1),
                RetireGracePeriod = TimeSpan.Zero,
            },
            Environment = "dev",
            SecretPath = "/",
        }, Ada);
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
