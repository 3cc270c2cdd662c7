using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RotationDashboard.Sandbox.Http;

/// <summary>
/// Run-time control of the sandbox under <c>/__sandbox/</c>: faults, a defective next ID token, settings, reset. Direct
/// loopback callers only, or callers with the configured admin secret, because anyone who can reach them can break or
/// reset the tenant.
/// </summary>
internal static class AdminEndpoints
{
    public sealed record FailureRuleDto(string? Method, string? Path, int StatusCode, JsonElement? Body, int? Times);

    public sealed record FaultsDto(
        double? LatencyMs,
        double? ErrorRate,
        int? ErrorStatusCode,
        double? TimeoutRate,
        double? TimeoutMs,
        string[]? Targets,
        FailureRuleDto[]? Failures);

    public sealed record IdTokenDefectDto(SandboxIdTokenDefect Defect);

    public sealed record SettingsDto(
        double? PropagationWindowSeconds,
        double? ManagementRequestsPerSecond,
        int? ManagementBurst,
        SandboxPlan? Plan);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // A misspelt setting would otherwise be ignored and the call answered 200 with nothing changed.
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void Map(RouteGroupBuilder tenantGroup)
    {
        var admin = tenantGroup.MapGroup("/__sandbox");
        // 404 rather than 401: a caller without access learns nothing about the endpoints.
        admin.AddEndpointFilter(async (invocation, next) =>
            MayAdminister(invocation.HttpContext) ? await next(invocation) : Results.NotFound());

        admin.MapGet("/faults", (HttpContext context) => Results.Json(ToDto(Tenant(context).Faults), Json));
        admin.MapMethods("/faults", ["PUT", "POST"], Task<IResult> (HttpContext context) => SetFaultsAsync(context));
        admin.MapDelete("/faults", (HttpContext context) =>
        {
            Tenant(context).ClearFaults();
            return Results.NoContent();
        });
        admin.MapPost("/faults/failures", Task<IResult> (HttpContext context) => AddFailureAsync(context));

        admin.MapGet("/id-token-defect", (HttpContext context) => Results.Json(new IdTokenDefectDto(Tenant(context).NextIdTokenDefect), Json));
        admin.MapMethods("/id-token-defect", ["PUT", "POST"], Task<IResult> (HttpContext context) => SetIdTokenDefectAsync(context));

        admin.MapGet("/settings", (HttpContext context) => Results.Json(Settings(Tenant(context)), Json));
        admin.MapMethods("/settings", ["PUT", "POST", "PATCH"], Task<IResult> (HttpContext context) => SetSettingsAsync(context));

        admin.MapPost("/reset", (HttpContext context) =>
        {
            Tenant(context).Reset();
            return Results.NoContent();
        });
    }

    /// <summary>
    /// With an admin secret configured, only a request carrying it (compared in constant time), from any address;
    /// without one, only a direct loopback caller.
    /// </summary>
    private static bool MayAdminister(HttpContext context)
    {
        var secret = context.RequestServices.GetRequiredService<IOptions<SandboxTenantOptions>>().Value.AdminSecret;
        if (string.IsNullOrEmpty(secret))
            return SandboxHttp.IsDirectLoopback(context);

        var sent = context.Request.Headers[SandboxTenantOptions.AdminSecretHeader];
        return sent.Count == 1 && sent[0] is { } value &&
               CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(value)), SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
    }

    private static SandboxTenant Tenant(HttpContext context) => context.RequestServices.GetRequiredService<SandboxTenant>();

    private static Task<IResult> SetFaultsAsync(HttpContext context) =>
        WithJsonBodyAsync<FaultsDto>(context, "A faults object is required.", dto =>
        {
            var tenant = Tenant(context);
            tenant.SetFaults(FromDto(dto));
            return Results.Json(ToDto(tenant.Faults), Json);
        });

    private static Task<IResult> AddFailureAsync(HttpContext context) =>
        WithJsonBodyAsync<FailureRuleDto>(context, "A failure rule is required.", dto =>
        {
            var tenant = Tenant(context);
            tenant.AddFailure(FromDto(dto));
            return Results.Json(ToDto(tenant.Faults), Json);
        });

    private static Task<IResult> SetIdTokenDefectAsync(HttpContext context) =>
        WithJsonBodyAsync<IdTokenDefectDto>(context, "A defect is required.", dto =>
        {
            var tenant = Tenant(context);
            tenant.SetNextIdTokenDefect(dto.Defect);
            return Results.Json(new IdTokenDefectDto(tenant.NextIdTokenDefect), Json);
        });

    private static Task<IResult> SetSettingsAsync(HttpContext context) =>
        WithJsonBodyAsync<SettingsDto>(context, "A settings object is required.", dto =>
        {
            var tenant = Tenant(context);
            if (dto.PropagationWindowSeconds is { } seconds)
                tenant.SetPropagationWindow(TimeSpan.FromSeconds(seconds));
            if (dto.Plan is { } plan)
                tenant.SetRateLimit(plan);
            if (dto.ManagementRequestsPerSecond is not null || dto.ManagementBurst is not null)
            {
                var current = tenant.RateLimit;
                tenant.SetRateLimit(new SandboxRateLimit(
                    dto.ManagementRequestsPerSecond ?? current.RequestsPerSecond,
                    dto.ManagementBurst ?? current.Burst));
            }

            return Results.Json(Settings(tenant), Json);
        });

    /// <summary>
    /// Reads the body as <typeparamref name="T"/> and applies it; a body that is not JSON (wrong content type), is
    /// malformed, names an unknown member, is missing or holds a value the tenant refuses is a 400, never a 500.
    /// </summary>
    private static async Task<IResult> WithJsonBodyAsync<T>(HttpContext context, string missing, Func<T, IResult> apply)
        where T : class
    {
        try
        {
            var dto = await context.Request.ReadFromJsonAsync<T>(Json, context.RequestAborted) ?? throw new ArgumentException(missing);
            return apply(dto);
        }
        catch (Exception exception) when (exception is JsonException or ArgumentException or InvalidOperationException)
        {
            return BadRequest(exception);
        }
    }

    private static IResult BadRequest(Exception exception) =>
        Results.Json(new { error = "invalid_request", message = exception.Message }, Json, statusCode: StatusCodes.Status400BadRequest);

    private static SettingsDto Settings(SandboxTenant tenant) =>
        new(tenant.PropagationWindow.TotalSeconds, tenant.RateLimit.RequestsPerSecond, tenant.RateLimit.Burst, null);

    private static FaultsDto ToDto(SandboxFaults faults) => new(
        faults.Latency.TotalMilliseconds,
        faults.ErrorRate,
        faults.ErrorStatusCode,
        faults.TimeoutRate,
        faults.TimeoutDelay.TotalMilliseconds,
        TargetNames(faults.Targets),
        faults.Failures.Select(f => new FailureRuleDto(f.Method, f.PathPattern, f.StatusCode, BodyElement(f.Body), f.Times)).ToArray());

    private static SandboxFaults FromDto(FaultsDto dto)
    {
        var defaults = SandboxFaults.None;
        return new SandboxFaults
        {
            Latency = TimeSpan.FromMilliseconds(dto.LatencyMs ?? 0),
            ErrorRate = dto.ErrorRate ?? 0,
            ErrorStatusCode = dto.ErrorStatusCode ?? defaults.ErrorStatusCode,
            TimeoutRate = dto.TimeoutRate ?? 0,
            TimeoutDelay = dto.TimeoutMs is { } timeout ? TimeSpan.FromMilliseconds(timeout) : defaults.TimeoutDelay,
            Targets = dto.Targets is null ? SandboxFaultTargets.All : ParseTargets(dto.Targets),
            Failures = (dto.Failures ?? []).Select(FromDto).ToList(),
        };
    }

    private static SandboxFailureRule FromDto(FailureRuleDto dto) => new(
        dto.Method ?? "*",
        dto.Path ?? throw new ArgumentException("A failure rule needs a path."),
        dto.StatusCode,
        dto.Body is { } body ? (body.ValueKind == JsonValueKind.String ? body.GetString() : body.GetRawText()) : null,
        dto.Times ?? 1);

    private static JsonElement? BodyElement(string? body)
    {
        if (body is null)
            return null;
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(body);
        }
    }

    private static SandboxFaultTargets ParseTargets(IEnumerable<string> names) =>
        names.Aggregate(SandboxFaultTargets.None, (targets, name) => targets | name.Trim().ToLowerInvariant() switch
        {
            "token" => SandboxFaultTargets.Token,
            "management" => SandboxFaultTargets.Management,
            "all" => SandboxFaultTargets.All,
            "none" => SandboxFaultTargets.None,
            _ => throw new ArgumentException($"Unknown fault target '{name}': use token, management or all."),
        });

    private static string[] TargetNames(SandboxFaultTargets targets) =>
        new[] { (SandboxFaultTargets.Token, "token"), (SandboxFaultTargets.Management, "management") }
            .Where(t => targets.HasFlag(t.Item1))
            .Select(t => t.Item2)
            .ToArray();
}
