using RotationDashboard.Testing;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Rotations.Engine;

namespace RotationDashboard.Core.Tests.Rotations.Engine;

[Trait(TestKind.Trait, TestKind.Unit)]
public class ClientSecretGeneratorTests
{
    [Fact]
    public void Secrets_are_64_characters_from_auth0s_alphabet_by_default()
    {
        var secret = ClientSecretGenerator.Generate();

        Assert.Equal(64, secret.Length);
        Assert.All(secret, c => Assert.Contains(c, ClientSecretGenerator.Alphabet));
        Assert.Equal(26 + 26 + 10 + 5, ClientSecretGenerator.Alphabet.Distinct().Count());
        Assert.NotEqual(secret, ClientSecretGenerator.Generate());
    }

    [Theory]
    [InlineData(47)]
    [InlineData(257)]
    public void Lengths_outside_48_to_256_are_refused(int length) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ClientSecretGenerator.Generate(length));

    [Fact]
    public void Every_character_is_about_equally_likely()
    {
        // 67 symbols × ~1500 draws each: a biased generator (e.g. byte % 67) would skew the low symbols by ~25 %.
        var counts = new Dictionary<char, int>();
        for (var i = 0; i < 400; i++)
        {
            foreach (var c in ClientSecretGenerator.Generate(256))
            {
                counts[c] = counts.GetValueOrDefault(c) + 1;
            }
        }

        var expected = 400.0 * 256 / ClientSecretGenerator.Alphabet.Length;
        Assert.Equal(ClientSecretGenerator.Alphabet.Length, counts.Count);
        Assert.All(counts.Values, n => Assert.InRange(n, expected * 0.85, expected * 1.15));
    }

    [Fact]
    public void Engine_options_are_validated()
    {
        var validator = new RotationEngineOptionsValidator();
        Assert.True(validator.Validate(null, new RotationEngineOptions()).Succeeded);

        var bad = validator.Validate(null, new RotationEngineOptions { ClientSecretLength = 32, RsaKeySize = 1024, LeaseDuration = TimeSpan.Zero });

        Assert.True(bad.Failed);
        Assert.Contains("ClientSecretLength", bad.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("RsaKeySize", bad.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("LeaseDuration", bad.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_run_time_limit_must_leave_room_for_verify_and_the_rollback_limit_must_be_positive()
    {
        var validator = new RotationEngineOptionsValidator();
        Assert.Equal(TimeSpan.FromMinutes(3), new RotationEngineOptions().RunTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), new RotationEngineOptions().RollbackTimeout);

        var bad = validator.Validate(null, new RotationEngineOptions { RunTimeout = TimeSpan.FromSeconds(30), VerifyTimeout = TimeSpan.FromSeconds(45), RollbackTimeout = TimeSpan.Zero });

        Assert.True(bad.Failed);
        Assert.Contains("RunTimeout (00:00:30) must be longer than RotationEngine:VerifyTimeout", bad.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("RollbackTimeout", bad.FailureMessage, StringComparison.Ordinal);
    }
}
