using RotationDashboard.Testing;
using RotationDashboard.Core.Security;

namespace RotationDashboard.Core.Tests.Security;

[Trait(TestKind.Trait, TestKind.Unit)]
public class SecretScrubberTests
{
    [Fact]
    public void Replaces_known_values_longest_first()
    {
        var scrubber = new SecretScrubber(["abc", "abcdef", null, "  "]);

        Assert.Equal("x [redacted] y [redacted]", scrubber.Scrub("x abcdef y abc"));
    }

    [Fact]
    public void Replaces_json_and_url_encoded_forms_of_known_values()
    {
        const string secret = "p+q=r/s\"t<u";
        var scrubber = new SecretScrubber([secret]);

        var json = System.Text.Json.JsonSerializer.Serialize(new { client_id = "x", note = secret });
        var form = "grant_type=client_credentials&other=" + Uri.EscapeDataString(secret);

        Assert.DoesNotContain("r/s", scrubber.Scrub(json), StringComparison.Ordinal);
        Assert.Contains("[redacted]", scrubber.Scrub(json), StringComparison.Ordinal);
        Assert.Equal("grant_type=client_credentials&other=[redacted]", scrubber.Scrub(form));
    }

    [Fact]
    public void Redacts_pem_private_keys_including_unterminated_ones()
    {
        const string pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nabc\n-----END PRIVATE KEY-----";
        const string rsa = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA";

        Assert.Equal("key: [redacted] end", SecretScrubber.Patterns.Scrub($"key: {pem} end"));
        Assert.Equal("truncated [redacted]", SecretScrubber.Patterns.Scrub($"truncated {rsa}"));
    }

    [Fact]
    public void Keeps_public_keys()
    {
        const string text = "-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----";

        Assert.Equal(text, SecretScrubber.Patterns.Scrub(text));
    }

    [Fact]
    public void Redacts_jwts_and_bearer_tokens()
    {
        const string jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJlLXZhbHVl";

        Assert.Equal("token [redacted] used", SecretScrubber.Patterns.Scrub($"token {jwt} used"));
        Assert.Equal("Authorization: Bearer [redacted]", SecretScrubber.Patterns.Scrub("Authorization: Bearer abcdEFGH1234.xyz"));
    }

    [Theory]
    [InlineData("client_secret=abc123&x=1", "client_secret=[redacted]&x=1")]
    [InlineData("{\"client_secret\":\"abc123\",\"a\":1}", "{\"client_secret\":\"[redacted]\",\"a\":1}")]
    [InlineData("clientSecret: abc123, ok", "clientSecret: [redacted], ok")]
    [InlineData("{\"access_token\":\"tok\"}", "{\"access_token\":\"[redacted]\"}")]
    public void Redacts_credential_looking_fields(string input, string expected) =>
        Assert.Equal(expected, SecretScrubber.Patterns.Scrub(input));

    [Fact]
    public void Leaves_ordinary_text_alone_and_handles_null()
    {
        const string text = "Auth0 returned 429 Too Many Requests; retry after 2 s (client_id abc).";

        Assert.Equal(text, SecretScrubber.Patterns.Scrub(text));
        Assert.Null(SecretScrubber.Patterns.Scrub(null));
        Assert.Equal("", SecretScrubber.Patterns.Scrub(""));
    }

    [Fact]
    public void With_adds_more_known_values_and_truncation_applies_after_scrubbing()
    {
        var scrubber = SecretScrubber.Patterns.With(["top-secret"]);

        Assert.Equal("[redacted]!", scrubber.Scrub("top-secret!"));
        Assert.Equal("[redact…", scrubber.ScrubAndTruncate("top-secret and more", 8));
    }
}
