using RotationDashboard.Testing;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Web.Components.Rotations;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Tests.RotationsUi;

/// <summary>The wizard's own rules: steps, time zones, durations and the requests it sends (no browser).</summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class RotationWizardModelTests
{
    private static readonly TimeZoneInfo Kolkata = TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata");
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly DateTimeOffset Winter = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Summer = new(2026, 7, 15, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("connectionId", RotationWizardModel.ConnectionStep)]
    [InlineData("rotationInterval", RotationWizardModel.IntervalStep)]
    [InlineData("rotateAtUtc.hours", RotationWizardModel.ScheduleStep)]
    [InlineData("strategy", RotationWizardModel.ScheduleStep)]
    [InlineData("stagedLeadTime", RotationWizardModel.ScheduleStep)]
    [InlineData("retireGracePeriod", RotationWizardModel.ScheduleStep)]
    [InlineData("parameters.clientId", RotationWizardModel.ApplicationStep)]
    [InlineData("switchToPrivateKeyJwt", RotationWizardModel.ApplicationStep)]
    [InlineData("secretsMapping", RotationWizardModel.MappingStep)]
    [InlineData("secretsMapping.keyId", RotationWizardModel.MappingStep)]
    [InlineData("secretPath", RotationWizardModel.MappingStep)]
    [InlineData("environment", RotationWizardModel.MappingStep)]
    [InlineData("name", RotationWizardModel.DetailsStep)]
    [InlineData("description", RotationWizardModel.DetailsStep)]
    [InlineData("somethingNew", RotationWizardModel.ReviewStep)]
    public void Server_errors_map_to_the_step_that_shows_the_field(string field, int step) =>
        Assert.Equal(step, RotationWizardModel.StepOf(field));

    [Theory]
    [InlineData("07:30", 2, 0)]
    [InlineData("7:30", 2, 0)]
    [InlineData("00:00", 18, 30)]
    [InlineData("23:59", 18, 29)]
    public void Local_time_converts_to_utc(string local, int hours, int minutes) =>
        Assert.Equal(new RotateAtUtc(hours, minutes), new RotationWizardModel { RotateAtLocal = local }.ToUtc(Kolkata, Winter));

    [Theory]
    [InlineData("25:00")]
    [InlineData("7")]
    [InlineData("07:60")]
    [InlineData("")]
    [InlineData(null)]
    public void Not_a_time_of_day_is_an_error_on_the_schedule_step(string? local)
    {
        var model = new RotationWizardModel { RotateAtLocal = local };
        Assert.Null(model.ToUtc(Kolkata, Winter));
        Assert.True(model.Validate(RotationWizardModel.ScheduleStep, null, Kolkata, Winter).ContainsKey("rotateAtUtc"));
    }

    [Fact]
    public void Daylight_saving_time_uses_todays_offset_and_is_detected()
    {
        var model = new RotationWizardModel { RotateAtLocal = "03:00" };
        Assert.Equal(new RotateAtUtc(2, 0), model.ToUtc(Berlin, Winter));
        Assert.Equal(new RotateAtUtc(1, 0), model.ToUtc(Berlin, Summer));
        Assert.Equal("04:00", WizardTime.ToLocalText(new RotateAtUtc(2, 0), Berlin, Summer));
        Assert.True(WizardTime.HasDaylightSaving(Berlin, Winter));
        Assert.False(WizardTime.HasDaylightSaving(Kolkata, Winter)); // it had DST in the 1940s; not any more
    }

    [Fact]
    public void Single_phase_turns_auto_rotation_off_until_the_admin_chooses()
    {
        var model = new RotationWizardModel();
        Assert.Equal((RotationStrategy.Staged, true), (model.Strategy, model.IsAutoRotationEnabled));
        model.SetStrategy(RotationStrategy.SinglePhase);
        Assert.False(model.IsAutoRotationEnabled);
        model.SetStrategy(RotationStrategy.PrivateKeyJwt);
        Assert.True(model.IsAutoRotationEnabled);
        model.AutoRotationChosen = true;
        model.IsAutoRotationEnabled = true;
        model.SetStrategy(RotationStrategy.SinglePhase);
        Assert.True(model.IsAutoRotationEnabled);
    }

    [Fact]
    public void Each_step_checks_its_fields_with_the_services_rules()
    {
        var model = new RotationWizardModel { RotationInterval = 0, Name = "Bad Name", LeadTimeAmount = 8, LeadTimeUnit = DurationUnit.Days };
        Assert.Contains("connectionId", Keys(model, RotationWizardModel.ConnectionStep));
        Assert.Contains("rotationInterval", Keys(model, RotationWizardModel.IntervalStep));
        Assert.Contains("stagedLeadTime", Keys(model, RotationWizardModel.ScheduleStep));
        Assert.Contains("parameters.clientId", Keys(model, RotationWizardModel.ApplicationStep));
        Assert.Contains("name", Keys(model, RotationWizardModel.DetailsStep));

        model.ProjectId = Guid.NewGuid();
        model.ClientSecretKey = model.ClientIdKey;
        Assert.Contains("secretsMapping", Keys(model, RotationWizardModel.MappingStep));
        model.ClientSecretKey = "BAD:KEY";
        Assert.Contains("secretsMapping.clientSecret", Keys(model, RotationWizardModel.MappingStep));
    }

    [Fact]
    public void Applications_must_fit_the_strategy_and_a_switch_to_private_key_jwt_needs_consent()
    {
        var keys = new ApplicationSummary("app-1", "Signer", "non_interactive", "private_key_jwt", null);
        var secret = new ApplicationSummary("app-2", "Mailer", "non_interactive", "client_secret_post", null);
        var model = new RotationWizardModel { ClientId = keys.ClientId, Application = keys };
        Assert.Contains("no client secret", Message(model, RotationWizardModel.ApplicationStep, "parameters.clientId"));

        model.SetStrategy(RotationStrategy.PrivateKeyJwt);
        Assert.Empty(Keys(model, RotationWizardModel.ApplicationStep));
        model.ClientId = secret.ClientId;
        model.Application = secret;
        Assert.Contains("switchToPrivateKeyJwt", Keys(model, RotationWizardModel.ApplicationStep));
        model.SwitchToPrivateKeyJwt = true;
        Assert.Empty(Keys(model, RotationWizardModel.ApplicationStep));
        Assert.True(model.ToCreateRequest(Kolkata, Winter).SwitchToPrivateKeyJwt);
    }

    [Fact]
    public void Strategies_the_connection_lacks_scopes_for_are_refused_with_the_missing_scopes()
    {
        var connection = Connection(missingForKeys: ["create:client_credentials"]);
        var model = new RotationWizardModel { ConnectionId = connection.Id };
        model.SetStrategy(RotationStrategy.PrivateKeyJwt);
        Assert.Contains("create:client_credentials", Message(model, RotationWizardModel.ScheduleStep, "strategy", connection));
        model.SetStrategy(RotationStrategy.Staged);
        Assert.Empty(model.Validate(RotationWizardModel.ScheduleStep, connection, Kolkata, Winter));
    }

    [Fact]
    public void Create_request_carries_the_type_mapping_and_timings_of_the_strategy()
    {
        var model = new RotationWizardModel
        {
            ConnectionId = Guid.NewGuid(), ProjectId = Guid.NewGuid(), EnvironmentSlug = "prod", SecretPath = "/payments", ClientId = " app-1 ",
            Name = " signer-key ", Description = "  ", RotateAtLocal = "07:30", GracePeriodAmount = 90, GracePeriodUnit = DurationUnit.Minutes,
        };
        model.SetStrategy(RotationStrategy.PrivateKeyJwt);
        var request = model.ToCreateRequest(Kolkata, Winter);
        var settings = request.Settings;
        Assert.Equal(("signer-key", null, RotationSlugs.Auth0PrivateKeyJwt, RotationStrategy.PrivateKeyJwt), (settings.Name, settings.Description, settings.Type.ToSlug(), settings.Strategy));
        Assert.Equal(new RotateAtUtc(2, 0), settings.RotateAtUtc);
        Assert.Equal("app-1", settings.Parameters.ClientId);
        Assert.Equal(new SecretsMapping("AUTH0_CLIENT_ID", PrivateKey: "AUTH0_PRIVATE_KEY", KeyId: "AUTH0_KEY_ID"), settings.SecretsMapping);
        Assert.Equal((TimeSpan?)TimeSpan.FromMinutes(90), settings.RetireGracePeriod);
        Assert.Null(settings.StagedLeadTime);
    }

    [Fact]
    public void Edit_sends_only_what_changed()
    {
        var existing = Existing();
        var model = new RotationWizardModel(existing, Kolkata, Winter);
        Assert.Equal("08:30", model.RotateAtLocal);
        Assert.Equal((5d, DurationUnit.Minutes), (model.LeadTimeAmount!.Value, model.LeadTimeUnit));
        Assert.Equal(new RotationChanges(), model.ToChanges(Kolkata, Winter));
        Assert.False(model.CanChooseStrategy(RotationStrategy.PrivateKeyJwt));
        Assert.True(model.CanChooseStrategy(RotationStrategy.SinglePhase));

        model.RotationInterval = 60;
        model.SetStrategy(RotationStrategy.SinglePhase);
        model.ClientSecretKey = "RENAMED_SECRET";
        model.Description = "";
        var update = model.ToChanges(Kolkata, Winter);
        Assert.Equal(60, update.RotationInterval);
        Assert.Equal(RotationStrategy.SinglePhase, update.Strategy);
        Assert.Equal("RENAMED_SECRET", update.SecretsMapping!.ClientSecret);
        Assert.Equal("", update.Description); // clears it
        Assert.Null(update.Name);
        Assert.Null(update.RotateAtUtc);
        Assert.Null(update.IsAutoRotationEnabled);
    }

    [Theory]
    [InlineData(0, 0, DurationUnit.Seconds)]
    [InlineData(90, 90, DurationUnit.Seconds)]
    [InlineData(300, 5, DurationUnit.Minutes)]
    [InlineData(3600, 1, DurationUnit.Hours)]
    [InlineData(172800, 2, DurationUnit.Days)]
    public void Durations_show_in_the_largest_whole_unit(int seconds, double amount, DurationUnit unit) =>
        Assert.Equal((amount, unit), WizardTime.Split(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Text_for_durations_and_what_is_ahead()
    {
        var now = Winter;
        Assert.Equal("0.25 s", RotationText.Duration(TimeSpan.FromMilliseconds(250)));
        Assert.Equal("3 min 5 s", RotationText.Duration(TimeSpan.FromSeconds(185)));
        Assert.Equal("2 h 10 min", RotationText.Duration(TimeSpan.FromMinutes(130)));
        Assert.Equal("1 day 3 h", RotationText.Duration(TimeSpan.FromHours(27)));
        Assert.Equal("now", RotationText.Until(now.AddSeconds(10), now));
        Assert.Equal("in 12 minutes", RotationText.Until(now.AddMinutes(12), now));
        Assert.Equal("in 5 hours", RotationText.Until(now.AddHours(5), now));
        Assert.Equal("in 3 days", RotationText.Until(now.AddDays(3), now));
    }

    private static IEnumerable<string> Keys(RotationWizardModel model, int step, ConnectionView? connection = null) =>
        model.Validate(step, connection, Kolkata, Winter).Keys;

    private static string Message(RotationWizardModel model, int step, string field, ConnectionView? connection = null) =>
        string.Join(" ", model.Validate(step, connection, Kolkata, Winter)[field]);

    private static ConnectionView Connection(IReadOnlyList<string> missingForKeys) => new(
        Guid.NewGuid(), "tenant", "client-credentials", "tenant.example", "m2m", "https://tenant.example/api/v2/", false, Winter, true, "Connected.", [],
        new Dictionary<RotationType, IReadOnlyList<string>> { [RotationType.Auth0ClientSecret] = [], [RotationType.Auth0PrivateKeyJwt] = missingForKeys },
        0, Winter, Winter);

    private static RotationView Existing() => new(
        Guid.NewGuid(),
        new RotationSettings
        {
            Name = "orders-worker", Description = "Orders", Type = RotationType.Auth0ClientSecret, Strategy = RotationStrategy.Staged,
            Parameters = new RotationParameters("app-1"), SecretsMapping = new SecretsMapping("ORDERS_CLIENT_ID", ClientSecret: "ORDERS_CLIENT_SECRET"),
            IsAutoRotationEnabled = true, FolderId = Guid.NewGuid(), ConnectionId = Guid.NewGuid(), RotationInterval = 30, ProjectId = Guid.NewGuid(),
            RotateAtUtc = new RotateAtUtc(3, 0), StagedLeadTime = TimeSpan.FromMinutes(5), RetireGracePeriod = TimeSpan.FromHours(1), UseSelfSignedCertificate = false,
        },
        0, Winter, Winter, RotationSlugs.Success, Winter, Winter, null, Winter.AddDays(30), new RotationConnectionRef("auth0", "tenant", Guid.NewGuid()),
        new RotationEnvironmentRef("dev", "Development", Guid.NewGuid()), new RotationFolderRef(Guid.NewGuid(), "/"),
        null, false, "Orders worker", 7, false, null);
}
