using RotationDashboard.Testing;
using RotationDashboard.Core.Secrets;

namespace RotationDashboard.Core.Tests.Secrets;

[Trait(TestKind.Trait, TestKind.Unit)]
public class SecretKeyTests
{
    [Theory]
    [InlineData("AUTH0_CLIENT_SECRET")]
    [InlineData("db.password-1")]
    [InlineData("  TRIMMED  ")]
    public void Accepts_valid_keys(string key) => Assert.True(SecretKey.IsValid(key));

    [Theory]
    [InlineData(null, "Secret name is required.")]
    [InlineData("   ", "Secret name is required.")]
    [InlineData("A:B", "Secret name cannot contain colon or forward slash.")]
    [InlineData("A/B", "Secret name cannot contain colon or forward slash.")]
    [InlineData("A B", "Secret name cannot contain spaces or other whitespace.")]
    [InlineData("A\tB", "Secret name cannot contain control characters.")]
    [InlineData("A\u0000B", "Secret name cannot contain control characters.")]
    public void Rejects_invalid_keys_with_a_clear_message(string? key, string message)
    {
        var errors = SecretKey.Validate(key);

        Assert.Contains(message, errors["key"]);
    }

    [Fact]
    public void Rejects_keys_longer_than_128_characters()
    {
        Assert.True(SecretKey.IsValid(new string('K', 128)));
        Assert.Contains("Secret name must be at most 128 characters.", SecretKey.Validate(new string('K', 129))["key"]);
    }

    [Fact]
    public void Records_errors_under_the_given_field()
    {
        var errors = SecretKey.Validate("", "secretsMapping.clientSecret");

        Assert.True(errors.ContainsKey("secretsMapping.clientSecret"));
    }
}
