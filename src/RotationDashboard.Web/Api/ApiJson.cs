using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RotationDashboard.Web.Api;

/// <summary>
/// JSON for the HTTP API: camelCase, enums as camelCase strings, and lenient reading (trailing commas and comments
/// are accepted, as hand-written request bodies often have them). Bodies are bound by the framework with the same
/// rules (<see cref="Configure"/>); one it cannot read becomes a problem answer naming the field (<see cref="ProblemFor"/>).
/// </summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        // Bodies are application/json, never embedded in HTML: characters like + stay readable ("\u002B" otherwise).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase), new UtcTimestampConverter() },
    };

    /// <summary>
    /// The field-level problem for a body System.Text.Json could not read: the field is the JSON path
    /// (<c>rotateAtUtc.hours</c>, or <c>body</c> for the whole), the message the expected type (never the value).
    /// </summary>
    public static IResult ProblemFor(JsonException exception)
    {
        var field = string.IsNullOrEmpty(exception.Path) || exception.Path == "$" ? "body" : exception.Path.TrimStart('$', '.');
        var message = exception.Message.Split(" Path:", 2)[0];
        return ApiResults.ValidationProblem(field, Describe(message));
    }

    /// <summary>
    /// Reads a body by hand, for anonymous routes only: a bound body makes routing answer another content type with a
    /// body-less 415 that the fallback authorization policy turns into a 401, where the caller needs to hear "send JSON".
    /// </summary>
    public static async Task<ApiBody<T>> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken = default)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return new ApiBody<T>(null, ApiResults.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "Send the request body as JSON with Content-Type: application/json."));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, cancellationToken);
            return value is null
                ? new ApiBody<T>(null, ApiResults.ValidationProblem("body", "A JSON object is required."))
                : new ApiBody<T>(value, null);
        }
        catch (JsonException exception)
        {
            return new ApiBody<T>(null, ProblemFor(exception));
        }
    }

    /// <summary>
    /// The reading rules of <see cref="Options"/> for the framework's JSON options (request bodies bound by minimal
    /// APIs, problem details, and the OpenAPI schemas, which are generated from them).
    /// </summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.AllowTrailingCommas = Options.AllowTrailingCommas;
        options.ReadCommentHandling = Options.ReadCommentHandling;
        if (!options.Converters.OfType<JsonStringEnumConverter>().Any())
        {
            options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        }
    }

    /// <summary>"The JSON value could not be converted to System.Nullable`1[System.Guid]." → "Expected a UUID."</summary>
    private static string Describe(string message)
    {
        const string conversion = "could not be converted to ";
        var at = message.IndexOf(conversion, StringComparison.Ordinal);
        if (at < 0)
        {
            return message.Length == 0 ? "The JSON is malformed." : message;
        }

        var type = message[(at + conversion.Length)..].TrimEnd('.');
        var expected = type switch
        {
            _ when type.Contains("System.Guid", StringComparison.Ordinal) => "a UUID (e.g. 3c90c3cc-0d44-4b50-8888-8dd25736052a)",
            _ when type.Contains("System.Int", StringComparison.Ordinal) => "a whole number",
            _ when type.Contains("System.Boolean", StringComparison.Ordinal) => "true or false",
            _ when type.Contains("System.String", StringComparison.Ordinal) => "a string",
            _ when type.Contains("System.DateTime", StringComparison.Ordinal) => "an ISO 8601 date and time",
            _ when !type.StartsWith("System.", StringComparison.Ordinal) => "a JSON object",
            _ => "a value of another type",
        };
        return $"Expected {expected}.";
    }
}

/// <summary>
/// Timestamps as UTC with milliseconds and a <c>Z</c> (<c>2023-11-07T05:31:56.000Z</c>), as Hanzo KMS writes them
/// (JavaScript's <c>toISOString</c>); any ISO 8601 form is read.
/// </summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
}

/// <summary>A body read by <see cref="ApiJson.ReadAsync{T}"/>: the value, or the problem to answer.</summary>
public sealed record ApiBody<T>(T? Value, IResult? Problem)
    where T : class;
