using System.Globalization;
using System.Net;
using System.Text.Json;

namespace RotationDashboard.Auth0.Http;

/// <summary>
/// Auth0's two error shapes: Management <c>{statusCode,error,message,errorCode}</c> and
/// Authentication <c>{error,error_description}</c>. Anything else (an HTML page from a proxy) yields nulls.
/// </summary>
internal readonly record struct Auth0ErrorBody(string? Error, string? ErrorCode, string? Message)
{
    public static Auth0ErrorBody Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
            return default;
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return default;

            return new Auth0ErrorBody(
                ReadString(root, "error"),
                ReadString(root, "errorCode"),
                ReadString(root, "message") ?? ReadString(root, "error_description"));
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static string? ReadString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
                _ => null,
            }
            : null;
}

/// <summary>Builds <see cref="Auth0ApiException"/>s whose text is useful and never carries a secret.</summary>
internal static class Auth0Errors
{
    public static Auth0ApiException FromResponse(Auth0HttpRequest request, Auth0HttpResponse response)
    {
        var body = Auth0ErrorBody.Parse(response.Body);
        var apiMessage = Redact(body.Message, request.SensitiveValues);
        var error = Redact(body.Error, request.SensitiveValues);
        var errorCode = Redact(body.ErrorCode, request.SensitiveValues);
        var status = (int)response.StatusCode;
        var transient = Auth0HttpResponse.IsTransientStatus(response.StatusCode);
        var what = $"{request.Method.Method} {request.Path}";

        var answer = $"{status} {response.ReasonPhrase ?? ((HttpStatusCode)status).ToString()}";
        var code = errorCode ?? error;
        var details = string.Join(" ", new[] { code is null ? null : $"({code})", apiMessage }
            .Where(p => !string.IsNullOrWhiteSpace(p)));
        if (details.Length > 0)
            answer += ": " + details;
        if (body is { Error: null, Message: null } && response.Body.Length > 0)
            answer += $" (non-JSON body of {response.Body.Length} bytes)";

        string message;
        if (transient && request.IsReplayable)
        {
            var prefix = response.StatusCode == HttpStatusCode.TooManyRequests ? "Auth0 rate limit" : "Auth0 unavailable";
            message = $"{prefix}: gave up after {Attempts(response.Attempts)} over {Seconds(response.Elapsed)} ({what}); " +
                      $"last answer {answer}.";
        }
        else
        {
            message = $"Auth0 {what} failed: {answer}.";
        }

        if (response.RateLimit is { } rateLimit)
            message += $" Rate limit: {rateLimit}.";

        return new Auth0ApiException(
            message,
            request.Method.Method,
            request.Path,
            response.StatusCode,
            error,
            errorCode,
            apiMessage,
            response.RateLimit,
            transient,
            response.Attempts,
            response.Elapsed);
    }

    public static Auth0ApiException FromException(Auth0HttpRequest request, Exception exception, int attempts, TimeSpan elapsed)
    {
        if (exception.InnerException is Auth0AddressRefusedException refused)
        {
            return new Auth0ApiException(
                $"Auth0 {request.Method.Method} {request.Path} was not sent: {refused.Message}",
                request.Method.Method, request.Path, attempts: attempts, elapsed: elapsed, innerException: refused);
        }

        var reason = exception is TimeoutException ? "the request timed out" : $"network error ({exception.GetType().Name})";
        var message = request.IsReplayable
            ? $"Auth0 unreachable: gave up after {Attempts(attempts)} over {Seconds(elapsed)} ({request.Method.Method} {request.Path}); last failure: {reason}."
            : $"Auth0 {request.Method.Method} {request.Path} failed: {reason}.";
        return new Auth0ApiException(
            message,
            request.Method.Method,
            request.Path,
            isTransient: true,
            attempts: attempts,
            elapsed: elapsed,
            innerException: exception);
    }

    /// <summary>Replaces any known secret (3+ characters) that an error text might echo.</summary>
    public static string? Redact(string? text, IReadOnlyList<string> sensitiveValues)
    {
        if (string.IsNullOrEmpty(text))
            return text;
        foreach (var value in sensitiveValues)
        {
            if (value.Length >= 3)
                text = text.Replace(value, "***", StringComparison.Ordinal);
        }

        return text;
    }

    private static string Attempts(int attempts) => attempts == 1 ? "1 attempt" : $"{attempts} attempts";

    private static string Seconds(TimeSpan elapsed) =>
        elapsed.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
