using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RotationDashboard.Client;

public static class Auth0HttpClientBuilderExtensions
{
    /// <summary>
    /// Sends this HttpClient's requests with an Auth0 access token from the registration <paramref name="name"/>
    /// (the unnamed <c>AddAuth0ClientCredentials</c> one by default).
    /// </summary>
    public static IHttpClientBuilder AddAuth0BearerToken(this IHttpClientBuilder builder, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var key = name ?? Microsoft.Extensions.Options.Options.DefaultName;
        return builder.AddHttpMessageHandler(provider => new Auth0BearerTokenHandler(
            provider.GetRequiredKeyedService<IAuth0TokenProvider>(key),
            provider.GetService<ILogger<Auth0BearerTokenHandler>>()));
    }
}
