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
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
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
            return new ApiBody<T>(null, ApiResults.ValidationProblem(field, message.Length == 0 ? "The JSON is malformed." : message));
        }
    }
}

/// <summary>A request body that was read (<see cref="Value"/>) or refused (<see cref="Problem"/>).</summary>
public readonly record struct ApiBody<T>(T? Value, IResult? Problem)
    where T : class;
