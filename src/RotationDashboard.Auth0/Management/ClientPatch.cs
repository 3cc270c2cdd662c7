using System.Text;
using System.Text.Json.Nodes;

namespace RotationDashboard.Auth0;

/// <summary>
/// Body of <c>PATCH /clients/{id}</c> with Auth0's three states per member: omitted (no change), explicit JSON
/// <c>null</c> (clear) and a value. Immutable: every <c>With…</c> returns a new patch.
/// <code>
/// ClientPatch.SetClientSecret(s)          → {"client_secret":"…"}
/// ClientPatch.UsePrivateKeyJwt([a, b])    → {"token_endpoint_auth_method":null,"client_authentication_methods":{"private_key_jwt":{"credentials":[{"id":"a"},{"id":"b"}]}}}
/// ClientPatch.UseClientSecret()           → {"token_endpoint_auth_method":"client_secret_post","client_authentication_methods":null}
/// </code>
/// </summary>
public sealed class ClientPatch
{
    private readonly Member<string> _clientSecret;
    private readonly Member<string?> _tokenEndpointAuthMethod;
    private readonly Member<IReadOnlyList<string>?> _privateKeyJwtCredentials;

    public ClientPatch()
    {
    }

    private ClientPatch(
        Member<string> clientSecret,
        Member<string?> tokenEndpointAuthMethod,
        Member<IReadOnlyList<string>?> privateKeyJwtCredentials)
    {
        _clientSecret = clientSecret;
        _tokenEndpointAuthMethod = tokenEndpointAuthMethod;
        _privateKeyJwtCredentials = privateKeyJwtCredentials;
    }

    public bool IsEmpty => !_clientSecret.IsSet && !_tokenEndpointAuthMethod.IsSet && !_privateKeyJwtCredentials.IsSet;

    /// <summary>Whether the patch writes the client secret (needs <c>update:client_keys</c>).</summary>
    public bool SetsClientSecret => _clientSecret.IsSet;

    /// <summary>Whether the patch writes client_authentication_methods (needs <c>update:client_credentials</c>).</summary>
    public bool SetsClientAuthenticationMethods => _privateKeyJwtCredentials.IsSet;

    /// <summary>A custom secret (48+ characters from letters, digits and <c>_-+=.</c> is the known-good form).</summary>
    public static ClientPatch SetClientSecret(string clientSecret) => new ClientPatch().WithClientSecret(clientSecret);

    /// <summary>Switches to (or keeps) private_key_jwt with exactly these credentials; the list replaces Auth0's.</summary>
    public static ClientPatch UsePrivateKeyJwt(IEnumerable<string> credentialIds) =>
        new ClientPatch().WithTokenEndpointAuthMethod(null).WithPrivateKeyJwtCredentials(credentialIds);

    /// <summary>Switches back to a client secret; Auth0 rejects null for both methods, so one must be named.</summary>
    public static ClientPatch UseClientSecret(string method = Auth0TokenEndpointAuthMethods.ClientSecretPost) =>
        new ClientPatch().WithTokenEndpointAuthMethod(method).WithoutClientAuthenticationMethods();

    public ClientPatch WithClientSecret(string clientSecret)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientSecret);
        return new ClientPatch(Member<string>.Of(clientSecret), _tokenEndpointAuthMethod, _privateKeyJwtCredentials);
    }

    /// <summary>A value, or null to send an explicit JSON null (required when switching to private_key_jwt).</summary>
    public ClientPatch WithTokenEndpointAuthMethod(string? method)
    {
        if (method is not null && !Auth0TokenEndpointAuthMethods.IsKnown(method))
            throw new ArgumentException(
                $"token_endpoint_auth_method must be none, client_secret_post or client_secret_basic, not '{method}'.",
                nameof(method));
        return new ClientPatch(_clientSecret, Member<string?>.Of(method), _privateKeyJwtCredentials);
    }

    /// <summary>Sets client_authentication_methods.private_key_jwt.credentials to exactly these ids.</summary>
    public ClientPatch WithPrivateKeyJwtCredentials(IEnumerable<string> credentialIds)
    {
        ArgumentNullException.ThrowIfNull(credentialIds);
        var ids = credentialIds.ToArray();
        if (ids.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("Credential ids cannot be empty.", nameof(credentialIds));
        if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Length)
            throw new ArgumentException("Credential ids must be distinct.", nameof(credentialIds));
        return new ClientPatch(_clientSecret, _tokenEndpointAuthMethod, Member<IReadOnlyList<string>?>.Of(ids));
    }

    /// <summary>Sends <c>"client_authentication_methods": null</c>.</summary>
    public ClientPatch WithoutClientAuthenticationMethods() =>
        new(_clientSecret, _tokenEndpointAuthMethod, Member<IReadOnlyList<string>?>.Of(null));

    /// <summary>The JSON body: set members only, explicit nulls kept.</summary>
    public JsonObject ToJson()
    {
        if (_tokenEndpointAuthMethod is { IsSet: true, Value: not null } && _privateKeyJwtCredentials is { IsSet: true, Value: not null })
            throw new InvalidOperationException(
                "token_endpoint_auth_method and client_authentication_methods are mutually exclusive; set the other one to null.");

        var body = new JsonObject();
        if (_clientSecret.IsSet)
            body["client_secret"] = _clientSecret.Value;
        if (_tokenEndpointAuthMethod.IsSet)
            body["token_endpoint_auth_method"] = _tokenEndpointAuthMethod.Value;
        if (_privateKeyJwtCredentials.IsSet)
        {
            body["client_authentication_methods"] = _privateKeyJwtCredentials.Value is { } ids
                ? new JsonObject
                {
                    ["private_key_jwt"] = new JsonObject
                    {
                        ["credentials"] = new JsonArray(ids.Select(id => (JsonNode)new JsonObject { ["id"] = id }).ToArray()),
                    },
                }
                : null;
        }

        return body;
    }

    /// <summary>The secret value, if any, so error texts can be scrubbed of it.</summary>
    internal string? SecretValue => _clientSecret.IsSet ? _clientSecret.Value : null;

    public override string ToString()
    {
        var text = new StringBuilder("ClientPatch {");
        if (_clientSecret.IsSet)
            text.Append(" client_secret = ***,");
        if (_tokenEndpointAuthMethod.IsSet)
            text.Append(" token_endpoint_auth_method = ").Append(_tokenEndpointAuthMethod.Value ?? "null").Append(',');
        if (_privateKeyJwtCredentials.IsSet)
        {
            text.Append(" client_authentication_methods = ")
                .Append(_privateKeyJwtCredentials.Value is { } ids ? $"private_key_jwt [{string.Join(", ", ids)}]" : "null")
                .Append(',');
        }

        return text.ToString().TrimEnd(',') + " }";
    }

    private readonly record struct Member<T>(bool IsSet, T Value)
    {
        public static Member<T> Of(T value) => new(true, value);
    }
}
