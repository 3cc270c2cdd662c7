using RotationDashboard.Core.Common;

namespace RotationDashboard.Web.Api;

/// <summary>
/// Maps application results to HTTP answers: success → 200 with the JSON body; failures → RFC 7807 problem details
/// (400 with per-field <c>errors</c>, 404, 409, 502 for an Auth0 failure, 503 with <c>Retry-After</c> while Auth0 is unavailable). Shared by every API endpoint.
/// </summary>
public static class ApiResults
{
    public static IResult Ok(object body) => Results.Json(body, ApiJson.Options);

    /// <param name="fieldName">Maps a service field name to the API's (e.g. <c>domain</c> → <c>credentials.domain</c>).</param>
    public static IResult FromOperationResult<T>(OperationResult<T> result, Func<T, object> body, Func<string, string>? fieldName = null) =>
        result.Succeeded ? Ok(body(result.Value)) : FromFailure(result.Failure!, fieldName);

    public static IResult FromFailure(OperationFailure failure, Func<string, string>? fieldName = null) => failure.Kind switch
    {
        OperationFailureKind.Validation => ValidationProblem(failure.Errors, fieldName),
        OperationFailureKind.NotFound => Problem(StatusCodes.Status404NotFound, "Not found", failure.Message),
        OperationFailureKind.Conflict => Problem(StatusCodes.Status409Conflict, "Conflict", failure.Message),
        OperationFailureKind.Upstream => Problem(StatusCodes.Status502BadGateway, "Auth0 request failed", failure.Message),
        OperationFailureKind.Unavailable => Unavailable(failure.Message, failure.RetryAfter ?? DefaultRetryAfter),
        _ => Problem(StatusCodes.Status500InternalServerError, "Unexpected failure", failure.Message),
    };

    /// <summary>
    /// Like <see cref="FromFailure"/>, but a conflict (name taken, a run under way, a connection in use) is a 400 as in
    /// Hanzo KMS / Infisical, whose clients treat 400 as "the request cannot be done now" and print its message.
    /// </summary>
    public static IResult FromFailureAsUpstream(OperationFailure failure, Func<string, string>? fieldName = null) =>
        failure.Kind == OperationFailureKind.Conflict
            ? Problem(StatusCodes.Status400BadRequest, "Bad Request", failure.Message)
            : FromFailure(failure, fieldName);

    public static IResult ValidationProblem(IReadOnlyDictionary<string, string[]> errors, Func<string, string>? fieldName = null) =>
        Results.ValidationProblem(
            errors.ToDictionary(e => fieldName?.Invoke(e.Key) ?? e.Key, e => e.Value, StringComparer.Ordinal),
            detail: "Nothing was changed. See errors for what to fix.",
            title: "One or more validation errors occurred.");

    public static IResult ValidationProblem(string field, string message) =>
        ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    public static IResult Problem(int status, string title, string? detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title);

    /// <summary>How long to wait when Auth0 did not say.</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>503 with <c>Retry-After</c> (whole seconds, 1 s to 5 min): Auth0 is unavailable, not the request wrong; nothing changed.</summary>
    public static IResult Unavailable(string detail, TimeSpan retryAfter) =>
        new WithRetryAfter(Problem(StatusCodes.Status503ServiceUnavailable, "Auth0 unavailable", detail),
            (int)Math.Clamp(Math.Ceiling(retryAfter.TotalSeconds), 1, 300));

    public static IResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, "Forbidden", detail);
}

/// <summary>A result with a <c>Retry-After</c> header (seconds).</summary>
internal sealed class WithRetryAfter(IResult inner, int seconds) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return inner.ExecuteAsync(httpContext);
    }
}
