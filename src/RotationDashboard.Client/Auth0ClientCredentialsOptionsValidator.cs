using Microsoft.Extensions.Options;
using RotationDashboard.Client.Internal;

namespace RotationDashboard.Client;

/// <summary>
/// Checks <see cref="Auth0ClientCredentialsOptions"/> at start-up with messages that say what to fix.
/// Messages name settings, never their secret values.
/// </summary>
public sealed class Auth0ClientCredentialsOptionsValidator : IValidateOptions<Auth0ClientCredentialsOptions>
{
    private static readonly HashSet<string> Algorithms = ["RS256", "RS384", "PS256"];
    private readonly string? _name;

    /// <param name="name">Validate only this named instance; null validates all.</param>
    public Auth0ClientCredentialsOptionsValidator(string? name = null) => _name = name;

    public ValidateOptionsResult Validate(string? name, Auth0ClientCredentialsOptions options)
    {
        if (_name is not null && !string.Equals(_name, name ?? Options.DefaultName, StringComparison.Ordinal))
            return ValidateOptionsResult.Skip;
        var failures = Collect(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Every problem with <paramref name="options"/>; empty when they are usable.</summary>
    public static IReadOnlyList<string> Collect(Auth0ClientCredentialsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (!Urls.TryParseTenant(options.Domain, out var baseUrl, out var problem))
            failures.Add($"Domain {problem}.");
        else if (!Urls.IsSafeTransport(baseUrl, options.AllowInsecureHttp))
            failures.Add($"Domain '{baseUrl}' uses plain http to a non-loopback host; use https (or set AllowInsecureHttp for a trusted network).");
        if (options.Audience is { } audience && string.IsNullOrWhiteSpace(audience))
            failures.Add("Audience must be null (the Management API) or an API identifier.");
        if (!Enum.IsDefined(options.ClientSecretAuthentication))
            failures.Add("ClientSecretAuthentication must be ClientSecretPost or ClientSecretBasic.");
        if (!Algorithms.Contains(options.SigningAlgorithm ?? ""))
            failures.Add($"SigningAlgorithm '{options.SigningAlgorithm}' is not supported; use RS256, RS384 or PS256.");
        if (options.ClientAssertionLifetime <= TimeSpan.Zero || options.ClientAssertionLifetime > TimeSpan.FromMinutes(5))
            failures.Add("ClientAssertionLifetime must be more than 0 and at most 5 minutes (Auth0's limit).");
        if (options.TokenRefreshMargin < TimeSpan.Zero)
            failures.Add("TokenRefreshMargin must not be negative.");
        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > TimeSpan.FromMinutes(5))
            failures.Add("RequestTimeout must be more than 0 and at most 5 minutes.");
        if (options.MaxRetries is < 0 or > 10)
            failures.Add("MaxRetries must be between 0 and 10.");
        if (options.RetryBaseDelay < TimeSpan.Zero || options.RetryBaseDelay > options.MaxRetryDelay)
            failures.Add("RetryBaseDelay must be between 0 and MaxRetryDelay.");
        if (options.MaxRetryDelay < TimeSpan.Zero || options.MaxRetryDelay > TimeSpan.FromMinutes(5))
            failures.Add("MaxRetryDelay must be between 0 and 5 minutes.");

        switch (options.EffectiveSourceKind)
        {
            case CredentialSourceKind.Static:
                if (string.IsNullOrWhiteSpace(options.ClientId))
                    failures.Add("ClientId is required.");
                if (options.Current is null || options.Current.IsEmpty)
                    failures.Add("Current needs a ClientSecret or a PrivateKeyPem (section Current), or configure Dashboard to read credentials from the Rotation Dashboard.");
                else
                    ValidateCredential(options.Current, "Current", failures);
                if (options.Next is { IsEmpty: false } next)
                    ValidateCredential(next, "Next", failures);
                if (options.Current is { IsEmpty: false } current && options.Next is { IsEmpty: false } following
                    && string.IsNullOrEmpty(current.ClientSecret) != string.IsNullOrEmpty(following.ClientSecret))
                    failures.Add("Current and Next must be the same kind of credential (both client secrets or both private keys).");
                break;
            case CredentialSourceKind.Dashboard:
                if (options.Dashboard is null)
                    failures.Add("Dashboard settings are required for the dashboard credential source.");
                else
                    ValidateDashboard(options.Dashboard, options.ClientId, failures);
                break;
        }

        return failures;
    }

    private static void ValidateCredential(Auth0CredentialOptions credential, string slot, List<string> failures)
    {
        var hasSecret = !string.IsNullOrEmpty(credential.ClientSecret);
        var hasKey = !string.IsNullOrWhiteSpace(credential.PrivateKeyPem);
        if (hasSecret && hasKey)
        {
            failures.Add($"{slot} has both a ClientSecret and a PrivateKeyPem; set one of them.");
            return;
        }

        if (hasKey)
        {
            try
            {
                Auth0Credential.FromPrivateKey("validation", credential.PrivateKeyPem!);
            }
            catch (ArgumentException exception)
            {
                failures.Add($"{slot}:PrivateKeyPem: {exception.Message.Split(" (Parameter", 2)[0]}");
            }
        }
        else if (credential.KeyId is not null)
        {
            failures.Add($"{slot}:KeyId is only meaningful with a PrivateKeyPem.");
        }
    }

    internal static void ValidateDashboard(DashboardCredentialSourceOptions dashboard, string? clientId, List<string> failures)
    {
        if (dashboard.Url is null)
            failures.Add("Dashboard:Url is required (the Rotation Dashboard's base URL).");
        else if (!Urls.TryNormalizeBase(dashboard.Url, out var url, out var problem))
            failures.Add($"Dashboard:Url {problem}.");
        else if (!Urls.IsSafeTransport(url, dashboard.AllowInsecureHttp))
            failures.Add($"Dashboard:Url '{url}' uses plain http to a non-loopback host; use https (or set Dashboard:AllowInsecureHttp).");
        if (string.IsNullOrWhiteSpace(dashboard.ApiToken))
            failures.Add("Dashboard:ApiToken is required (a dashboard API token with secrets:read on the secret path).");
        if (string.IsNullOrWhiteSpace(dashboard.ProjectId))
            failures.Add("Dashboard:ProjectId is required.");
        if (string.IsNullOrWhiteSpace(dashboard.Environment))
            failures.Add("Dashboard:Environment is required (the environment slug, e.g. dev).");
        if (string.IsNullOrWhiteSpace(dashboard.SecretPath) || !dashboard.SecretPath.StartsWith('/'))
            failures.Add("Dashboard:SecretPath must start with '/'.");
        if (string.IsNullOrWhiteSpace(dashboard.ClientIdKey) && string.IsNullOrWhiteSpace(clientId))
            failures.Add("Set ClientId, or Dashboard:ClientIdKey to read the client id from the dashboard.");

        var hasSecretKey = !string.IsNullOrWhiteSpace(dashboard.ClientSecretKey);
        var hasPrivateKeyKey = !string.IsNullOrWhiteSpace(dashboard.PrivateKeyKey);
        if (hasSecretKey == hasPrivateKeyKey)
            failures.Add("Set exactly one of Dashboard:ClientSecretKey (client secret) and Dashboard:PrivateKeyKey (private_key_jwt).");
        if (!string.IsNullOrWhiteSpace(dashboard.KeyIdKey) && !hasPrivateKeyKey)
            failures.Add("Dashboard:KeyIdKey is only meaningful with Dashboard:PrivateKeyKey.");
        foreach (var (setting, key) in new[]
                 {
                     ("ClientIdKey", dashboard.ClientIdKey), ("ClientSecretKey", dashboard.ClientSecretKey),
                     ("PrivateKeyKey", dashboard.PrivateKeyKey), ("KeyIdKey", dashboard.KeyIdKey),
                 })
        {
            if (key is not null && (key.Contains('/') || key.Contains(':') || key.Trim().Length == 0))
                failures.Add($"Dashboard:{setting} '{key}' is not a secret name (no '/', ':' or blanks).");
        }

        if (dashboard.RefreshInterval < TimeSpan.FromMilliseconds(100))
            failures.Add("Dashboard:RefreshInterval must be at least 100 ms.");
        if (dashboard.MinRefreshInterval < TimeSpan.Zero || dashboard.MinRefreshInterval > dashboard.RefreshInterval)
            failures.Add("Dashboard:MinRefreshInterval must be between 0 and RefreshInterval.");
        if (dashboard.RequestTimeout <= TimeSpan.Zero || dashboard.RequestTimeout > TimeSpan.FromMinutes(5))
            failures.Add("Dashboard:RequestTimeout must be more than 0 and at most 5 minutes.");
    }
}
