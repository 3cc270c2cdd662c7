using RotationDashboard.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace RotationDashboard.Sandbox.Tests;

[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class CredentialTests(SharedSandbox sandbox) : IClassFixture<SharedSandbox>
{
    private SandboxHost Host => sandbox.Host;

    // Key generation is the slow part of these tests; a few keys go a long way.
    private static readonly Lazy<RSA[]> Keys = new(() => Enumerable.Range(0, 5).Select(_ => RSA.Create(2048)).ToArray());

    private Task<HttpClient> ApiAsync() => Host.ManagementApiClientAsync();

    private static Task<HttpResponseMessage> PostCredentialAsync(HttpClient api, string clientId, string pem, object? extra = null)
    {
        var body = new Dictionary<string, object?> { ["credential_type"] = "public_key", ["name"] = "test key", ["pem"] = pem };
        foreach (var property in extra?.GetType().GetProperties() ?? [])
            body[property.Name] = property.GetValue(extra);
        return api.PostAsJsonAsync($"clients/{clientId}/credentials", body);
    }

    private static object Attach(params string[] ids) => new Dictionary<string, object?>
    {
        ["token_endpoint_auth_method"] = null,
        ["client_authentication_methods"] = new { private_key_jwt = new { credentials = ids.Select(id => new { id }).ToArray() } },
    };

    [Fact]
    public async Task Creating_a_credential_returns_201_with_the_RFC7638_thumbprint_as_kid()
    {
        var client = Host.Tenant.CreateClient("Creds");
        using var api = await ApiAsync();
        var key = Keys.Value[0];

        using var created = await PostCredentialAsync(api, client.ClientId, key.ExportSubjectPublicKeyInfoPem(), new { expires_at = "2099-01-01T00:00:00Z" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.ReadJsonAsync();
        Assert.StartsWith("cred_", body.GetProperty("id").GetString());
        Assert.Equal("public_key", body.GetProperty("credential_type").GetString());
        Assert.Equal("RS256", body.GetProperty("alg").GetString());
        Assert.Equal("2099-01-01T00:00:00.000Z", body.GetProperty("expires_at").GetString());
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(key.ExportParameters(false)));
        Assert.Equal(Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint()), body.GetProperty("kid").GetString());

        var listed = await (await api.GetAsync($"clients/{client.ClientId}/credentials")).ReadJsonAsync();
        Assert.Equal(body.GetProperty("id").GetString(), listed[0].GetProperty("id").GetString());
        Assert.False(listed[0].TryGetProperty("pem", out _));
    }

    [Fact]
    public async Task PKCS1_keys_certificates_and_a_custom_kid_are_accepted()
    {
        var client = Host.Tenant.CreateClient("Forms");
        using var api = await ApiAsync();
        var request = new CertificateRequest("CN=sandbox-test", Keys.Value[2], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        using var pkcs1 = await PostCredentialAsync(api, client.ClientId, Keys.Value[1].ExportRSAPublicKeyPem(), new { kid = "my-custom-kid-01", alg = "PS256" });
        using var cert = await PostCredentialAsync(api, client.ClientId, certificate.ExportCertificatePem(), new { parse_expiry_from_cert = true });
        using var badKid = await PostCredentialAsync(api, client.ClientId, Keys.Value[3].ExportSubjectPublicKeyInfoPem(), new { kid = "short" });
        using var badAlg = await PostCredentialAsync(api, client.ClientId, Keys.Value[3].ExportSubjectPublicKeyInfoPem(), new { alg = "HS256" });

        Assert.Equal(HttpStatusCode.Created, pkcs1.StatusCode);
        Assert.Equal("my-custom-kid-01", (await pkcs1.ReadJsonAsync()).GetProperty("kid").GetString());
        Assert.Equal(HttpStatusCode.Created, cert.StatusCode);
        Assert.True((await cert.ReadJsonAsync()).TryGetProperty("expires_at", out _));
        Assert.Equal(HttpStatusCode.BadRequest, badKid.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badAlg.StatusCode);
    }

    [Fact]
    public async Task RSA_1024_and_non_RSA_keys_are_refused()
    {
        var client = Host.Tenant.CreateClient("Weak");
        using var api = await ApiAsync();
        using var weak = RSA.Create(1024);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        using var rsa1024 = await PostCredentialAsync(api, client.ClientId, weak.ExportSubjectPublicKeyInfoPem());
        using var ecKey = await PostCredentialAsync(api, client.ClientId, ec.ExportSubjectPublicKeyInfoPem());

        Assert.Equal(HttpStatusCode.BadRequest, rsa1024.StatusCode);
        Assert.Contains("2048", (await rsa1024.ReadJsonAsync()).GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, ecKey.StatusCode);
        Assert.Empty(Host.Tenant.GetCredentials(client.ClientId));
    }

    [Fact]
    public async Task At_most_4_stored_no_duplicate_PEM_and_at_most_2_attached()
    {
        var client = Host.Tenant.CreateClient("Limits");
        using var api = await ApiAsync();
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            using var created = await PostCredentialAsync(api, client.ClientId, Keys.Value[i].ExportSubjectPublicKeyInfoPem());
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            ids.Add((await created.ReadJsonAsync()).GetProperty("id").GetString()!);
        }

        using var fifth = await PostCredentialAsync(api, client.ClientId, Keys.Value[4].ExportSubjectPublicKeyInfoPem());
        using var three = await api.PatchJsonAsync($"clients/{client.ClientId}", Attach(ids[0], ids[1], ids[2]));
        using var two = await api.PatchJsonAsync($"clients/{client.ClientId}", Attach(ids[0], ids[1]));
        using var deleteAttached = await api.DeleteAsync($"clients/{client.ClientId}/credentials/{ids[0]}");
        using var deleteDetached = await api.DeleteAsync($"clients/{client.ClientId}/credentials/{ids[3]}");
        using var duplicate = await PostCredentialAsync(api, client.ClientId, Keys.Value[0].ExportSubjectPublicKeyInfoPem());
        using var deleteAgain = await api.DeleteAsync($"clients/{client.ClientId}/credentials/{ids[3]}");

        Assert.Equal(HttpStatusCode.BadRequest, fifth.StatusCode);
        Assert.Equal("A client can have a maximum of 4 credentials.", (await fifth.ReadJsonAsync()).GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, three.StatusCode);
        Assert.Contains("Array is too long (3), maximum 2", (await three.ReadJsonAsync()).GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, two.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, deleteAttached.StatusCode);
        Assert.Equal("Cannot delete credential still associated with a client", (await deleteAttached.ReadJsonAsync()).GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NoContent, deleteDetached.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("credentials contains public keys that already exist in client", (await duplicate.ReadJsonAsync()).GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, deleteAgain.StatusCode);
        Assert.Equal(3, Host.Tenant.GetCredentials(client.ClientId).Count);
        Assert.Equal(2, Host.Tenant.FindClient(client.ClientId)!.AttachedCredentials.Count());
    }

    [Fact]
    public async Task The_zero_downtime_sequence_keeps_a_working_key_throughout()
    {
        // The Terraform provider's add-first rotation: POST new, attach [old, new], attach [new], DELETE old.
        var client = Host.Tenant.CreateClient("Rotated by keys", authMethod: SandboxAuthMethod.PrivateKeyJwt, managementScopes: ["read:clients"]);
        var oldKey = client.KeyPair!;
        var newKey = Host.Tenant.AddPrivateKeyJwtCredential(client.ClientId, attach: false);
        using var api = await ApiAsync();
        using var http = Host.CreateHttpClient();

        async Task<HttpStatusCode> SignInWithAsync(SandboxKeyPair key)
        {
            using var response = await http.RequestTokenAsync(
                ("grant_type", "client_credentials"), ("client_id", client.ClientId),
                ("client_assertion_type", SandboxClientAssertion.AssertionType),
                ("client_assertion", key.CreateClientAssertion(client.ClientId, Host.BaseUrl, DateTimeOffset.UtcNow)),
                ("audience", Host.ManagementApiUrl.AbsoluteUri));
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, (await api.PatchJsonAsync($"clients/{client.ClientId}", Attach(oldKey.CredentialId, newKey.CredentialId))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await SignInWithAsync(oldKey));
        Assert.Equal(HttpStatusCode.OK, await SignInWithAsync(newKey));
        Assert.Equal(HttpStatusCode.OK, (await api.PatchJsonAsync($"clients/{client.ClientId}", Attach(newKey.CredentialId))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"clients/{client.ClientId}/credentials/{oldKey.CredentialId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInWithAsync(oldKey));
        Assert.Equal(HttpStatusCode.OK, await SignInWithAsync(newKey));
    }

    [Fact]
    public async Task Only_expires_at_can_be_patched()
    {
        var client = Host.Tenant.CreateClient("Expiring", authMethod: SandboxAuthMethod.PrivateKeyJwt);
        using var api = await ApiAsync();
        var path = $"clients/{client.ClientId}/credentials/{client.KeyPair!.CredentialId}";

        using var patched = await api.PatchJsonAsync(path, new { expires_at = "2098-06-01T12:00:00Z" });
        using var renamed = await api.PatchJsonAsync(path, new { name = "other" });
        using var fetched = await api.GetAsync(path);
        using var missing = await api.GetAsync($"clients/{client.ClientId}/credentials/cred_missing");

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal("2098-06-01T12:00:00.000Z", (await patched.ReadJsonAsync()).GetProperty("expires_at").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, renamed.StatusCode);
        Assert.Equal("2098-06-01T12:00:00.000Z", (await fetched.ReadJsonAsync()).GetProperty("expires_at").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("The credential does not exist", (await missing.ReadJsonAsync()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Credential_calls_need_their_own_scopes()
    {
        using var api = await Host.ManagementApiClientAsync("read:clients", "read:client_keys");

        using var list = await api.GetAsync($"clients/{SandboxSeed.LedgerSyncClientId}/credentials");
        using var create = await PostCredentialAsync(api, SandboxSeed.LedgerSyncClientId, Keys.Value[0].ExportSubjectPublicKeyInfoPem());

        TestSandbox.AssertManagementError(await list.ReadJsonAsync(), 403, "Insufficient scope, expected any of: read:client_credentials", "insufficient_scope");
        TestSandbox.AssertManagementError(await create.ReadJsonAsync(), 403, "Insufficient scope, expected any of: create:client_credentials", "insufficient_scope");
    }
}
