using RotationDashboard.Testing;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.Tests.Security;

[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class BootstrapTokenStrengthTests
{
    [Theory]
    [InlineData(32)]
    [InlineData(24)]
    public void Base64_tokens_from_openssl_rand_pass_the_strength_check(int bytes)
    {
        for (var i = 0; i < 200; i++)
        {
            var token = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes));
            Assert.Null(BootstrapTokenStrength.FindWeakness(token));
        }
    }
}
