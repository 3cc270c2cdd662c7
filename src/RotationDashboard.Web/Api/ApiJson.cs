using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RotationDashboard.Web.Api;

/// <summary>
/// JSON for the HTTP API: camelCase, enums as camelCase strings, and lenient reading (trailing commas and comments
/// are accepted, as hand-written request bodies often have them). Bodies are read here rather than by parameter
/// binding so that a malformed body gets a problem-details answer that names the field.
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

    /// <summary>Reads a JSON request body; on failure <see cref="ApiBody{T}.Problem"/> is the 400/415 answer to return.</summary>
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
        catch (JsonException ex)
        {
            // System.Text.Json's messages name the path and the expected type, never the value.
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            var message = ex.Message.Split(" Path:", 2)[0];
            return new ApiBody<T>(null, ApiResults.ValidationProblem(field, Describe(message)));
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

/// <summary>A request body that was read (<see cref="Value"/>) or refused (<see cref="Problem"/>).</summary>
public readonly record struct ApiBody<T>(T? Value, IResult? Problem)
    where T : class;

/// <summary>
/// Timestamps as UTC with a <c>Z</c> and at most millisecond precision (<c>2023-11-07T05:31:56Z</c>,
/// <c>2023-11-07T05:31:56.123Z</c>), as Hanzo KMS writes them; any ISO 8601 form is read.
/// </summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFF'Z'", CultureInfo.InvariantCulture));
}
