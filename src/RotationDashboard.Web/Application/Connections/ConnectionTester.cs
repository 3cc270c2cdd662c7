using RotationDashboard.Auth0;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Connections;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.Application.Connections;

/// <summary>"Test connection": asks Auth0 for a Management API token with a connection's credentials.</summary>
public sealed class ConnectionTester(
    IAuth0ConnectionResolver resolver,
    IAuth0TokenClient tokenClient,
    OutboundAddressPolicy addressPolicy,
    TimeProvider timeProvider)
{
    /// <summary>
    /// Asks Auth0 for a token with the connection's credentials before it is saved. Null when Auth0 issued one (the
    /// result is recorded on the connection); otherwise the error, on the field most likely at fault.
    /// </summary>
    public async Task<ValidationErrors?> TestBeforeSavingAsync(Connection connection, CancellationToken cancellationToken)
    {
        var result = await TestAsync(resolver.ToSettings(connection), connection.IsSandbox, cancellationToken);
        if (result.Ok)
        {
            connection.RecordValidation(true, result.Message, result.GrantedScopes, result.TestedAt);
            return null;
        }

        var field = result.Outcome switch
        {
            TokenCheckOutcome.InvalidCredential => "clientSecret",
            TokenCheckOutcome.AuthenticatedNotAuthorized => "audience",
            _ => "domain",
        };
        return new ValidationErrors().Add(field, "Not saved: " + result.Message);
    }

    /// <summary>A token request with <paramref name="settings"/>: the outcome, granted and missing scopes, and a scrubbed message.</summary>
    public async Task<ConnectionTestResult> TestAsync(Auth0ConnectionSettings settings, bool isSandbox, CancellationToken cancellationToken)
    {
        var scrubber = new SecretScrubber([settings.ClientSecret]);
        if (!isSandbox && await addressPolicy.CheckAsync(settings.Tenant, cancellationToken) is { } refusal)
        {
            return Result(false, TokenCheckOutcome.Rejected, refusal, [], ConnectionScopes.AllMissing());
        }

        var token = await tokenClient.RequestTokenWithSecretAsync(
            settings.Tenant, settings.ClientId, settings.ClientSecret, ClientSecretAuthentication.ClientSecretPost, settings.Audience, cancellationToken);
        var check = token.Check;
        var answer = DescribeAnswer(check);
        switch (check.Outcome)
        {
            case TokenCheckOutcome.Valid:
                var granted = (token.Scopes ?? new HashSet<string>()).Order(StringComparer.Ordinal).ToList();
                var missing = ConnectionScopes.FindMissing(granted);
                var lacking = missing.Where(m => m.Value.Count > 0).ToList();
                var message = lacking.Count == 0
                    ? "Connected. The token carries every scope client-secret and private_key_jwt rotations need."
                    : "Connected, but the token lacks scopes: " +
                      string.Join("; ", lacking.Select(m => $"{TypeLabel(m.Key)} rotations need {string.Join(", ", m.Value)}")) +
                      ". Grant them to the application under APIs → Auth0 Management API → Machine to Machine Applications.";
                return Result(true, check.Outcome, message, granted, missing);

            case TokenCheckOutcome.InvalidCredential:
                return Result(false, check.Outcome,
                    $"Auth0 rejected the client ID or secret ({answer}). Check both, and that the application is a Machine to Machine application.",
                    [], ConnectionScopes.AllMissing());

            case TokenCheckOutcome.AuthenticatedNotAuthorized:
                return Result(false, check.Outcome,
                    $"Auth0 accepted the credentials but issued no Management API token ({answer}). Authorize the application for the " +
                    $"Auth0 Management API (audience {settings.Audience}) and grant the scopes rotations need.",
                    [], ConnectionScopes.AllMissing());

            case TokenCheckOutcome.Transient:
                return Result(false, check.Outcome,
                    $"Auth0 could not be reached or is busy ({answer}). Try again in a moment.", [], ConnectionScopes.AllMissing());

            default:
                return Result(false, check.Outcome,
                    check.Error == "address_refused"
                        ? check.ErrorDescription ?? "The tenant's address was refused."
                        : $"Auth0 refused the token request ({answer}). Check the domain and the audience.",
                    [], ConnectionScopes.AllMissing());
        }

        ConnectionTestResult Result(
            bool ok,
            TokenCheckOutcome outcome,
            string message,
            IReadOnlyList<string> granted,
            IReadOnlyDictionary<RotationType, IReadOnlyList<string>> missing) =>
            new(ok, outcome, scrubber.ScrubAndTruncate(message, Connection.MaxValidationMessageLength), granted, missing, timeProvider.GetUtcNow());
    }

    private static string DescribeAnswer(TokenCheckResult check)
    {
        var parts = new List<string>();
        if (check.StatusCode is { } status)
        {
            parts.Add(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (!string.IsNullOrEmpty(check.Error))
        {
            parts.Add(check.Error);
        }

        var text = string.Join(' ', parts);
        if (!string.IsNullOrEmpty(check.ErrorDescription))
        {
            text = text.Length == 0 ? check.ErrorDescription : $"{text}: {check.ErrorDescription}";
        }

        return text.Length == 0 ? "no answer" : text;
    }

    private static string TypeLabel(RotationType type) => type switch
    {
        RotationType.Auth0ClientSecret => "client-secret",
        RotationType.Auth0PrivateKeyJwt => "private_key_jwt",
        _ => type.ToString(),
    };
}
