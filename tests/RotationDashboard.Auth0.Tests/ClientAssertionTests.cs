using RotationDashboard.Testing;
using RotationDashboard.Auth0.Tests.Infrastructure;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace RotationDashboard.Auth0.Tests;

[Trait(TestKind.Trait, TestKind.Unit)]
public class ClientAssertionTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-21T10:00:00Z");

    public static RsaSecurityKey PublicKey(string publicKeyPem)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(publicKeyPem);
        return new RsaSecurityKey(rsa);
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("RS384")]
    [InlineData("PS256")]
    public async Task Assertion_has_Auth0s_claims_and_a_valid_signature(string algorithm)
    {
        var keys = TestKeys.First;
        var tenant = Auth0TenantAddress.Parse("my-tenant.eu.auth0.com");
        var factory = new ClientAssertionFactory(new FakeTimeProvider(Now));
        using var key = ClientAssertionKey.FromPem(keys.PrivateKeyPem, algorithm, keys.KeyId);

        var assertion = factory.CreateAssertion(tenant, "client-abc", key);

        var jwt = new JsonWebToken(assertion);
        Assert.Equal(algorithm, jwt.Alg);
        Assert.Equal("JWT", jwt.Typ);
        Assert.Equal(keys.KeyId, jwt.Kid);
        Assert.Equal("client-abc", jwt.Issuer);
        Assert.Equal("client-abc", jwt.Subject);
        Assert.Equal(["https://my-tenant.eu.auth0.com/"], jwt.Audiences);
        Assert.True(Guid.TryParse(jwt.Id, out _));
        var iat = jwt.GetPayloadValue<long>("iat");
        var nbf = jwt.GetPayloadValue<long>("nbf");
        var exp = jwt.GetPayloadValue<long>("exp");
        Assert.Equal(Now.ToUnixTimeSeconds(), iat);
        Assert.Equal(iat, nbf);
        Assert.InRange(exp - iat, 60, 120);
        Assert.True(assertion.Length <= 2048);

        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(assertion, new TokenValidationParameters
        {
            ValidIssuer = "client-abc",
            ValidAudience = "https://my-tenant.eu.auth0.com/",
            IssuerSigningKey = PublicKey(keys.PublicKeyPem),
            ValidAlgorithms = [algorithm],
            ValidateLifetime = false, // the manual clock is not the validator's clock
        });
        Assert.True(validation.IsValid, validation.Exception?.Message);

        var wrongKey = await new JsonWebTokenHandler().ValidateTokenAsync(assertion, new TokenValidationParameters
        {
            ValidIssuer = "client-abc",
            ValidAudience = "https://my-tenant.eu.auth0.com/",
            IssuerSigningKey = PublicKey(TestKeys.Second.PublicKeyPem),
            ValidateLifetime = false,
        });
        Assert.False(wrongKey.IsValid);
    }

    [Fact]
    public void Each_assertion_has_a_fresh_jti_and_no_kid_when_unknown()
    {
        var keys = TestKeys.First;
        using var key = ClientAssertionKey.FromPem(keys.PrivateKeyPem);
        var factory = new ClientAssertionFactory(new FakeTimeProvider(Now));
        var tenant = Auth0TenantAddress.Parse("http://127.0.0.1:5000/sandbox-tenant");

        var first = new JsonWebToken(factory.CreateAssertion(tenant, "c", key));
        var second = new JsonWebToken(factory.CreateAssertion(tenant, "c", key, TimeSpan.FromMinutes(5)));

        Assert.NotEqual(first.Id, second.Id);
        Assert.False(first.TryGetHeaderValue<string>("kid", out _));
        Assert.Equal(["http://127.0.0.1:5000/sandbox-tenant/"], first.Audiences);
        Assert.Equal(300, second.GetPayloadValue<long>("exp") - second.GetPayloadValue<long>("iat"));
    }

    [Fact]
    public void Pkcs1_pem_keys_are_accepted()
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(TestKeys.First.PrivateKeyPem);
        var pkcs1 = rsa.ExportRSAPrivateKeyPem();
        using var key = ClientAssertionKey.FromPem(pkcs1, "RS256");

        var assertion = new ClientAssertionFactory().CreateAssertion("https://t.auth0.com/", "c", key);

        Assert.Equal(3, assertion.Split('.').Length);
        Assert.Equal(2048, key.KeySize);
    }

    [Fact]
    public void Limits_are_enforced_with_clear_errors()
    {
        var keys = TestKeys.First;
        using var key = ClientAssertionKey.FromPem(keys.PrivateKeyPem);
        var factory = new ClientAssertionFactory();

        Assert.Throws<ArgumentOutOfRangeException>(() => factory.CreateAssertion("https://t/", "c", key, TimeSpan.FromMinutes(6)));
        Assert.Throws<ArgumentException>(() => factory.CreateAssertion("https://t/", new string('c', 65), key));
        Assert.Throws<InvalidOperationException>(() => factory.CreateAssertion("https://t/" + new string('a', 1200), "c", key));
        Assert.Throws<ArgumentException>(() => ClientAssertionKey.FromPem(keys.PublicKeyPem));
        Assert.Throws<ArgumentException>(() => ClientAssertionKey.FromPem(keys.PrivateKeyPem, "HS256"));
        using var existing = RSA.Create();
        existing.ImportFromPem(keys.PrivateKeyPem);
        var encrypted = existing.ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000));
        Assert.Contains("encrypted", Assert.Throws<ArgumentException>(() => ClientAssertionKey.FromPem(encrypted)).Message);
        Assert.Contains("1024", Assert.Throws<ArgumentException>(() => ClientAssertionKey.FromPem(RSA.Create(1024).ExportPkcs8PrivateKeyPem())).Message);
    }

    [Fact]
    public void A_4096_bit_key_stays_within_2048_bytes()
    {
        var pem = TestKeys.Rsa4096PrivateKeyPem;
        using var key = ClientAssertionKey.FromPem(pem, "RS256", RsaCredentialKeys.ComputeKeyId(pem));

        var assertion = new ClientAssertionFactory().CreateAssertion(Auth0TenantAddress.Parse("my-tenant.eu.auth0.com"), "client-id-of-32-characters-abcd", key);

        Assert.Equal(4096, key.KeySize);
        Assert.True(assertion.Length <= ClientAssertionFactory.MaxAssertionLength, $"{assertion.Length} bytes");
    }
}
