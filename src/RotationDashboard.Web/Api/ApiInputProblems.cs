using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;

namespace RotationDashboard.Web.Api;

/// <summary>
/// The one place where input the API could not read becomes the standard problem answer instead of a 500: a query or
/// route value that does not bind (<c>take=abc</c>, <c>refresh=maybe</c>) is a 400 naming the parameter, a JSON body
/// that does not read (malformed, a member of the wrong type) a 400 naming the member, a body that is not JSON a 415, a body over
/// <see cref="MaxRequestBodyBytes"/> a 413, a form body that cannot be parsed a 400. Parameter binding always throws
/// (<see cref="RouteHandlerOptions.ThrowOnBadRequest"/>) so that every environment answers with the same body.
/// </summary>
public static partial class ApiInputProblems
{
    /// <summary>The largest API request body: far above any valid request (every string field is bounded well below it).</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static IServiceCollection AddApiInputProblems(this IServiceCollection services) =>
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true)
            .Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(options => ApiJson.Configure(options.SerializerOptions));

    /// <summary>Limits a route group's request bodies to <see cref="MaxRequestBodyBytes"/> (larger ones are a 413).</summary>
    public static TBuilder WithApiRequestSizeLimit<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestSizeLimit(MaxRequestBodyBytes));

    /// <summary>The problem answer for an exception caused by the request's input; null for any other exception.</summary>
    public static IResult? For(Exception exception) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            ApiResults.Problem(StatusCodes.Status413PayloadTooLarge, "Request body too large",
                $"The request body is larger than the API accepts ({MaxRequestBodyBytes / 1024} KiB at most)."),
        BadHttpRequestException { InnerException: JsonException json } => ApiJson.ProblemFor(json),
        BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } =>
            ApiResults.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "Send the request body as JSON with Content-Type: application/json."),
        BadHttpRequestException bad when RequiredMissing().Match(bad.Message) is { Success: true } match && match.Groups["source"].Value == "body" =>
            ApiResults.ValidationProblem("body", "A JSON object is required."),
        BadHttpRequestException bad when BindingFailure().Match(bad.Message) is { Success: true } match =>
            ApiResults.ValidationProblem(match.Groups["name"].Value, Expected(match.Groups["type"].Value)),
        BadHttpRequestException bad when RequiredMissing().Match(bad.Message) is { Success: true } match =>
            ApiResults.ValidationProblem(match.Groups["name"].Value, $"{match.Groups["name"].Value} is required."),
        BadHttpRequestException bad =>
            ApiResults.Problem(bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : StatusCodes.Status400BadRequest,
                "Bad request", "The request could not be read."),
        InvalidDataException =>
            ApiResults.ValidationProblem("body", "The form body cannot be read: it has invalid characters, or too many or too long fields."),
        _ => null,
    };

    /// <summary>The type as RequestDelegateFactory names it: <c>int?</c>, <c>Nullable&lt;int&gt;</c>, <c>Boolean</c>…</summary>
    private static string Expected(string type) => type switch
    {
        _ when type.Contains("int", StringComparison.OrdinalIgnoreCase) || type.Contains("long", StringComparison.OrdinalIgnoreCase) =>
            $"Expected a whole number (e.g. 20), at most {int.MaxValue}.",
        _ when type.Contains("bool", StringComparison.OrdinalIgnoreCase) => "Expected true or false.",
        _ when type.Contains("Guid", StringComparison.Ordinal) => "Expected a UUID (e.g. 3c90c3cc-0d44-4b50-8888-8dd25736052a).",
        _ when type.Contains("Date", StringComparison.Ordinal) => "Expected an ISO 8601 date and time.",
        _ => "The value is not valid here.",
    };

    // RequestDelegateFactory's wording: Failed to bind parameter "int? take" from "abc".
    [GeneratedRegex("^Failed to bind parameter \"(?<type>[^\"]+) (?<name>[A-Za-z0-9_]+)\" from", RegexOptions.CultureInvariant)]
    private static partial Regex BindingFailure();

    // Required parameter "string key" was not provided from route.
    [GeneratedRegex("^Required parameter \"(?<type>[^\"]+) (?<name>[A-Za-z0-9_]+)\" was not provided(?: from (?<source>[a-z]+))?", RegexOptions.CultureInvariant)]
    private static partial Regex RequiredMissing();

    private sealed record RequestSizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
}
