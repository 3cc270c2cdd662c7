using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RotationDashboard.Auth0;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Core.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace RotationDashboard.Web.Notifications;

/// <summary>Settings of metrics and traces (section <c>Telemetry</c>); every exporter is off unless configured.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>Serve the Prometheus scrape endpoint at <see cref="PrometheusPath"/> (anonymous: expose it only to the scraper).</summary>
    public bool PrometheusEnabled { get; set; }

    public string PrometheusPath { get; set; } = "/metrics";

    /// <summary>Export metrics and traces over OTLP to this endpoint (e.g. http://collector:4317).</summary>
    public string? OtlpEndpoint { get; set; }
}

public static class NotificationsHosting
{
    /// <summary>
    /// Registers notifications (options <c>Notifications</c>, the outbox, the event sources and the delivery worker),
    /// the health checks behind <c>/health/live</c> and <c>/health/ready</c>, and OpenTelemetry when an exporter is configured.
    /// </summary>
    public static WebApplicationBuilder AddNotificationsAndObservability(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<NotificationOptions>().Bind(builder.Configuration.GetSection(NotificationOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NotificationOptions>, NotificationOptionsValidator>());
        services.TryAddSingleton<NotificationAddressPolicy>();
        services.TryAddSingleton<NotificationLinks>();
        services.TryAddSingleton<NotificationOutbox>();
        services.TryAddSingleton<NotificationSender>();
        services.TryAddSingleton<NotificationDeliveryWorker>();
        services.TryAddSingleton<NotificationSources>();
        services.TryAddSingleton<NotificationCenter>();
        services.TryAddSingleton<ILatestRotationDelivery>(sp => sp.GetRequiredService<NotificationCenter>());
        services.TryAddSingleton<INotificationAdministration>(sp => sp.GetRequiredService<NotificationCenter>());
        services.TryAddSingleton<Application.Notifications.IFindRotations, Application.Notifications.FindRotations>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationSources>());
        services.AddHostedService(sp => sp.GetRequiredService<NotificationDeliveryWorker>());

        // Channel traffic: no proxy, no redirects (a redirect could lead to an internal address), and the connect-time
        // address guard, so a name that resolves differently later still cannot reach a private address.
        services.AddHttpClient(NotificationSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var policy = sp.GetRequiredService<NotificationAddressPolicy>();
                return new SocketsHttpHandler
                {
                    UseProxy = false,
                    AllowAutoRedirect = false,
                    ConnectCallback = Auth0AddressGuard.CreateConnectCallback(policy.IsAllowedNonPublic),
                };
            });

        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"])
            .AddCheck<SchedulerHealthCheck>("scheduler", tags: ["ready"])
            .AddCheck<EngineHealthCheck>("engine", tags: ["ready"]);

        var telemetry = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        services.AddOptions<TelemetryOptions>().Bind(builder.Configuration.GetSection(TelemetryOptions.SectionName));
        var otlp = !string.IsNullOrWhiteSpace(telemetry.OtlpEndpoint);
        if (telemetry.PrometheusEnabled || otlp)
        {
            var otel = services.AddOpenTelemetry().ConfigureResource(r => r.AddService("rotation-dashboard"));
            otel.WithMetrics(metrics =>
            {
                metrics.AddMeter(DashboardTelemetry.Name, "RotationDashboard.Auth0").AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (telemetry.PrometheusEnabled) metrics.AddPrometheusExporter();
                if (otlp) metrics.AddOtlpExporter(o => o.Endpoint = new Uri(telemetry.OtlpEndpoint!));
            });
            if (otlp)
            {
                DecorateSecretStore(services);
                otel.WithTracing(tracing => tracing.AddSource(DashboardTelemetry.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation()
                    .AddOtlpExporter(o => o.Endpoint = new Uri(telemetry.OtlpEndpoint!)));
            }
        }

        return builder;
    }

    /// <summary>Wraps the registered <see cref="IRotationSecretStore"/> so its calls show in a run's trace.</summary>
    private static void DecorateSecretStore(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IRotationSecretStore));
        if (registered is null) return;
        services.Remove(registered);
        services.Add(ServiceDescriptor.Describe(typeof(IRotationSecretStore), sp => new TracedRotationSecretStore((IRotationSecretStore)(
            registered.ImplementationInstance
            ?? registered.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!))), registered.Lifetime));
    }

    /// <summary>Maps <c>/health/live</c> (the process answers), <c>/health/ready</c> (database, migrations, scheduler, engine) and the Prometheus endpoint when enabled.</summary>
    public static WebApplication MapHealthAndMetrics(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains("ready"),
            ResponseWriter = WriteReadinessAsync,
        }).AllowAnonymous();
        var telemetry = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        if (telemetry.PrometheusEnabled)
        {
            app.MapPrometheusScrapingEndpoint(telemetry.PrometheusPath).AllowAnonymous();
        }

        return app;
    }

    /// <summary>Each check's name and status (no exception text: it could name paths or hosts).</summary>
    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        });
    }
}
