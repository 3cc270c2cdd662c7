using System.Net;
using System.Net.Http.Headers;

namespace RotationDashboard.Auth0.Http;

/// <summary>
/// One Auth0 request, its body kept as bytes so the retry handler can send the same message again.
/// <see cref="SensitiveValues"/> are scrubbed from any text Auth0 sends back before it reaches an exception.
/// </summary>
internal sealed class Auth0HttpRequest(HttpMethod method, Uri uri)
{
    public HttpMethod Method { get; } = method;

    public Uri Uri { get; } = uri;

    public byte[]? Content { get; init; }

    public string? ContentType { get; init; }

    /// <summary>A fixed Authorization header (client_secret_basic); a bearer token is added per send instead.</summary>
    public AuthenticationHeaderValue? Authorization { get; init; }

    /// <summary>False when a second send would not be the same request (a single-use client assertion).</summary>
    public bool IsReplayable { get; init; } = true;

    public IReadOnlyList<string> SensitiveValues { get; init; } = [];

    /// <summary>The path for logs and errors: never the query string, whose values could be sensitive.</summary>
    public string Path => Uri.AbsolutePath;

    public HttpRequestMessage CreateMessage(string? bearerToken)
    {
        var message = new HttpRequestMessage(Method, Uri);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (bearerToken is not null)
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        else if (Authorization is not null)
            message.Headers.Authorization = Authorization;

        if (Content is not null)
        {
            message.Content = new ByteArrayContent(Content);
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType ?? "application/json");
        }

        return message;
    }
}

/// <summary>A fully read Auth0 response plus how many attempts it took.</summary>
internal sealed record Auth0HttpResponse(
    HttpStatusCode StatusCode,
    string? ReasonPhrase,
    byte[] Body,
    Auth0RateLimit? RateLimit)
{
    public int Attempts { get; init; } = 1;

    public TimeSpan Elapsed { get; init; }

    public bool IsSuccess => (int)StatusCode is >= 200 and < 300;

    public static bool IsTransientStatus(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;
}
