using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace RotationDashboard.Web.Api;

/// <summary>
/// Every problem answer under <c>/api</c> (from endpoints, authentication, authorization, the rate limiter, input that
/// cannot be read, unhandled exceptions) passes through <see cref="IProblemDetailsService"/> and gets, besides the
/// RFC 7807 members, Infisical's error members so that both kinds of client print something useful:
/// <c>statusCode</c>, <c>message</c> (the detail; for validation the per-field messages), <c>error</c>
/// (<c>BadRequest</c>, <c>ValidationFailure</c>, <c>Unauthorized</c>, <c>PermissionDenied</c>, <c>NotFound</c>, …) and
/// <c>reqId</c> (the request's trace id, which the log line written here carries too).
/// </summary>
public static class ApiProblemDetails
{
    public static IServiceCollection AddApiProblemDetails(this IServiceCollection services)
    {
        // Registered before AddProblemDetails' default writer, so it is asked first; it answers every /api request
        // whatever its Accept header says (the default writer would skip e.g. Accept: text/plain).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, ApiProblemDetailsWriter>());
        services.AddProblemDetails();
        return services;
    }

    /// <summary>The request's id for clients and logs: the W3C trace id of the request's activity.</summary>
    public static string RequestId(HttpContext context) =>
        Activity.Current?.TraceId.ToHexString() is { } traceId && traceId != default(ActivityTraceId).ToHexString()
            ? traceId
            : context.TraceIdentifier;

    /// <summary>Infisical's name for an error status.</summary>
    public static string ErrorName(int status, bool hasFieldErrors) => status switch
    {
        StatusCodes.Status400BadRequest when hasFieldErrors => "ValidationFailure",
        StatusCodes.Status400BadRequest => "BadRequest",
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status403Forbidden => "PermissionDenied",
        StatusCodes.Status404NotFound => "NotFound",
        StatusCodes.Status405MethodNotAllowed => "MethodNotAllowed",
        StatusCodes.Status409Conflict => "Conflict",
        StatusCodes.Status413PayloadTooLarge => "PayloadTooLarge",
        StatusCodes.Status415UnsupportedMediaType => "UnsupportedMediaType",
        StatusCodes.Status422UnprocessableEntity => "ValidationFailure",
        StatusCodes.Status429TooManyRequests => "RateLimitExceeded",
        StatusCodes.Status500InternalServerError => "InternalServerError",
        StatusCodes.Status502BadGateway => "BadGateway",
        StatusCodes.Status503ServiceUnavailable => "ServiceUnavailable",
        _ => ReasonPhrases(status),
    };

    /// <summary>Adds <c>statusCode</c>, <c>message</c>, <c>error</c> and <c>reqId</c> (kept when already set).</summary>
    public static void AddInfisicalMembers(HttpContext context, ProblemDetails problem)
    {
        var status = problem.Status ?? context.Response.StatusCode;
        problem.Status = status;
        var fieldErrors = problem is HttpValidationProblemDetails { Errors.Count: > 0 } validation ? validation.Errors : null;
        problem.Extensions.TryAdd("statusCode", status);
        problem.Extensions.TryAdd("message", fieldErrors is not null
            ? string.Join(" ", fieldErrors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")))
            : problem.Detail ?? problem.Title ?? ReasonPhrases(status));
        problem.Extensions.TryAdd("error", ErrorName(status, fieldErrors is not null));
        problem.Extensions.TryAdd("reqId", RequestId(context));
    }

    private static string ReasonPhrases(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status).Replace(" ", "", StringComparison.Ordinal) is { Length: > 0 } name
            ? name
            : "Error";
}

/// <summary>Writes /api problem answers with the Infisical members (see <see cref="ApiProblemDetails"/>) and logs each with its reqId.</summary>
internal sealed partial class ApiProblemDetailsWriter(IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> jsonOptions, ILogger<ApiProblemDetailsWriter> logger) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => context.HttpContext.Request.Path.StartsWithSegments("/api");

    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        ApiProblemDetails.AddInfisicalMembers(http, problem);
        LogProblem(logger, http.Request.Method, http.Request.Path.Value, problem.Status ?? 0, (string)problem.Extensions["error"]!, (string)problem.Extensions["reqId"]!);
        await http.Response.WriteAsJsonAsync(problem, problem.GetType(), jsonOptions.Value.SerializerOptions, "application/problem+json", http.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "API answered {Method} {Path} with {Status} {Error} (reqId {ReqId})")]
    private static partial void LogProblem(ILogger logger, string method, string? path, int status, string error, string reqId);
}
