using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RotationDashboard.Client;

public static class Auth0HttpClientBuilderExtensions
{
    /// <summary>
    /// Sends this HttpClient's requests with an Auth0 access token from the registration <paramref name="name"/>
    /// (the unnamed <c>AddAuth0ClientCredentials</c> one by default).
    /// </summary>
    /// <remarks>
    /// Removes HttpClient's built-in request loggers from this client: at Trace level they put the raw Authorization
    /// header, the access token, into their structured log state (only the formatted text is redacted).
    /// </remarks>
    public static IHttpClientBuilder AddAuth0BearerToken(this IHttpClientBuilder builder, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var key = name ?? Microsoft.Extensions.Options.Options.DefaultName;
        return builder.RemoveAllLoggers().AddHttpMessageHandler(provider => new Auth0BearerTokenHandler(
            provider.GetRequiredKeyedService<IAuth0TokenProvider>(key),
            provider.GetService<ILogger<Auth0BearerTokenHandler>>()));
    }
}
