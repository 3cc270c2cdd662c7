using RotationDashboard.Testing;
using RotationDashboard.Core.Rotations;

namespace RotationDashboard.Core.Tests.Rotations;

[Trait(TestKind.Trait, TestKind.Unit)]
public class RotationRulesTests
{
    internal static RotationSettings ValidSettings(RotationType type = RotationType.Auth0ClientSecret) => new()
    {
        Name = "my-auth0-rotation",
        Description = "my client secret rotation",
        Type = type,
        ConnectionId = Guid.NewGuid(),
        ProjectId = Guid.NewGuid(),
        EnvironmentId = Guid.NewGuid(),
        FolderId = Guid.NewGuid(),
        Parameters = new RotationParameters("abc123"),
        SecretsMapping = SecretsMapping.DefaultFor(type),
        RotationInterval = 30,
        RotateAtUtc = RotateAtUtc.Midnight,
    };

    [Theory]
    [InlineData(RotationType.Auth0ClientSecret)]
    [InlineData(RotationType.Auth0PrivateKeyJwt)]
    public void Seed_sample_and_private_key_jwt_defaults_are_valid(RotationType type) =>
        Assert.True(RotationRules.Validate(ValidSettings(type)).IsEmpty);

    [Fact]
    public void Only_private_key_jwt_rotations_may_register_a_certificate_valid_two_intervals_plus_grace()
    {
        var onSecret = RotationRules.Validate(ValidSettings() with { UseSelfSignedCertificate = true });
        var onKey = RotationRules.Validate(ValidSettings(RotationType.Auth0PrivateKeyJwt) with { UseSelfSignedCertificate = true });

        Assert.Contains("Only Private Key JWT rotations", onSecret["useSelfSignedCertificate"][0]);
        Assert.True(onKey.IsEmpty);
        Assert.Equal(TimeSpan.FromDays(60) + TimeSpan.FromHours(1), RotationRules.CertificateValidity(30, TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.FromDays(30), RotationRules.CertificateValidity(1, TimeSpan.Zero)); // never shorter than 30 days
    }

    [Theory]
    [InlineData("", "Name field must be at least 1 lowercase character")]
    [InlineData("My-Rotation", "Name field can only contain lowercase letters, numbers, and hyphens")]
    [InlineData("double--hyphen", "Name field can only contain lowercase letters, numbers, and hyphens")]
    [InlineData("-leading", "Name field can only contain lowercase letters, numbers, and hyphens")]
    [InlineData("trailing-", "Name field can only contain lowercase letters, numbers, and hyphens")]
    [InlineData("under_score", "Name field can only contain lowercase letters, numbers, and hyphens")]
    public void Name_must_be_a_slug(string name, string message)
    {
        var errors = RotationRules.Validate(ValidSettings() with { Name = name });

        Assert.Equal([message], errors["name"]);
    }

    [Fact]
    public void Name_is_at_most_64_characters()
    {
        Assert.True(RotationRules.Validate(ValidSettings() with { Name = new string('a', 64) }).IsEmpty);
        Assert.Equal(
            ["Name field must be at most 64 lowercase characters"],
            RotationRules.Validate(ValidSettings() with { Name = new string('a', 65) })["name"]);
    }

    [Fact]
    public void Description_is_at_most_256_characters()
    {
        Assert.True(RotationRules.Validate(ValidSettings() with { Description = new string('d', 256) }).IsEmpty);
        Assert.True(RotationRules.Validate(ValidSettings() with { Description = new string('d', 257) }).ContainsKey("description"));
    }

    [Theory]
    [InlineData(0, "Rotation interval must be at least 1 day.")]
    [InlineData(-5, "Rotation interval must be at least 1 day.")]
    [InlineData(366, "Rotation interval must be at most 365 days.")]
    public void Interval_is_between_1_and_365_days(int days, string message) =>
        Assert.Equal([message], RotationRules.Validate(ValidSettings() with { RotationInterval = days })["rotationInterval"]);

    [Fact]
    public void Rotate_at_hours_and_minutes_are_checked_separately()
    {
        var errors = RotationRules.Validate(ValidSettings() with { RotateAtUtc = new RotateAtUtc(24, 60) });

        Assert.Equal(["Hours must be between 0 and 23."], errors["rotateAtUtc.hours"]);
        Assert.Equal(["Minutes must be between 0 and 59."], errors["rotateAtUtc.minutes"]);
        Assert.True(RotationRules.Validate(ValidSettings() with { RotateAtUtc = new RotateAtUtc(23, 59) }).IsEmpty);
    }

    [Fact]
    public void Client_id_is_required_with_infisicals_text() =>
        Assert.Equal(["Client ID Required"],
            RotationRules.Validate(ValidSettings() with { Parameters = new RotationParameters("  ") })["parameters.clientId"]);

    [Fact]
    public void Mapping_names_follow_secret_key_rules()
    {
        var errors = RotationRules.Validate(ValidSettings() with { SecretsMapping = new SecretsMapping("", "A:B") });

        Assert.Contains("Secret name is required.", errors["secretsMapping.clientId"]);
        Assert.Contains("Secret name cannot contain colon or forward slash.", errors["secretsMapping.clientSecret"]);
    }

    [Fact]
    public void Mapping_names_must_be_distinct_with_infisicals_text()
    {
        var errors = RotationRules.Validate(ValidSettings() with { SecretsMapping = new SecretsMapping("SAME", "SAME") });

        Assert.Equal(["Secrets mapping keys must be unique. \"SAME, SAME\" contains duplicate keys."], errors["secretsMapping"]);
    }

    [Fact]
    public void Mapping_fields_depend_on_the_type()
    {
        var clientSecret = RotationRules.Validate(ValidSettings() with
        {
            SecretsMapping = new SecretsMapping("ID", null, PrivateKey: "PK"),
        });
        Assert.True(clientSecret.ContainsKey("secretsMapping.clientSecret"));
        Assert.True(clientSecret.ContainsKey("secretsMapping.privateKey"));

        var privateKeyJwt = RotationRules.Validate(ValidSettings(RotationType.Auth0PrivateKeyJwt) with
        {
            SecretsMapping = new SecretsMapping("ID", "SECRET"),
        });
        Assert.True(privateKeyJwt.ContainsKey("secretsMapping.privateKey"));
        Assert.True(privateKeyJwt.ContainsKey("secretsMapping.keyId"));
        Assert.True(privateKeyJwt.ContainsKey("secretsMapping.clientSecret"));
    }

    [Theory]
    [InlineData(RotationType.Auth0ClientSecret, RotationStrategy.SinglePhase, true)]
    [InlineData(RotationType.Auth0ClientSecret, RotationStrategy.Staged, true)]
    [InlineData(RotationType.Auth0ClientSecret, RotationStrategy.PrivateKeyJwt, false)]
    [InlineData(RotationType.Auth0PrivateKeyJwt, RotationStrategy.PrivateKeyJwt, true)]
    [InlineData(RotationType.Auth0PrivateKeyJwt, RotationStrategy.Staged, false)]
    public void Strategy_must_suit_the_type(RotationType type, RotationStrategy strategy, bool valid) =>
        Assert.Equal(valid, !RotationRules.Validate(ValidSettings(type) with { Strategy = strategy }).ContainsKey("strategy"));

    [Fact]
    public void Timings_are_bounded_whole_seconds()
    {
        var errors = RotationRules.Validate(ValidSettings() with
        {
            StagedLeadTime = TimeSpan.FromMilliseconds(1500),
            RetireGracePeriod = TimeSpan.FromDays(31),
        });

        Assert.Equal(["Lead time must be a whole number of seconds."], errors["stagedLeadTime"]);
        Assert.Equal(["Grace period must be at most 30 days."], errors["retireGracePeriod"]);
        Assert.True(RotationRules.Validate(ValidSettings() with { StagedLeadTime = TimeSpan.FromSeconds(-1) }).ContainsKey("stagedLeadTime"));
    }

    [Fact]
    public void Missing_ids_are_reported_per_field()
    {
        var errors = RotationRules.Validate(ValidSettings() with { ConnectionId = Guid.Empty, FolderId = Guid.Empty });

        Assert.True(errors.ContainsKey("connectionId"));
        Assert.True(errors.ContainsKey("secretPath"));
    }

    [Fact]
    public void Conflict_messages_use_infisicals_texts()
    {
        Assert.Equal(
            "A Secret Rotation with the name \"my-auth0-rotation\" already exists at the secret path \"/\"",
            RotationRules.DuplicateNameMessage("my-auth0-rotation", "/"));
        Assert.Equal(
            "The following secrets already exist at the path \"/payments\": K1, K2",
            RotationRules.ConflictingSecretsMessage("/payments", ["K1", "K2"]));
    }

    [Fact]
    public void Slugs_round_trip()
    {
        Assert.Equal("auth0-client-secret", RotationType.Auth0ClientSecret.ToSlug());
        Assert.Equal(RotationType.Auth0PrivateKeyJwt, RotationSlugs.ParseType("auth0-private-key-jwt"));
        Assert.Equal("failed", RotationStatus.Failed.ToSlug());
        Assert.False(RotationSlugs.TryParseType("aws-iam", out _));
    }
}
