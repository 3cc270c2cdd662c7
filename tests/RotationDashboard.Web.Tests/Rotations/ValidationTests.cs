using RotationDashboard.Testing;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Tests.Rotations;

/// <summary>One installation shared by the validation tests (they assert before/after, never absolute counts).</summary>
public sealed class ValidationFixture : IAsyncLifetime
{
    private EngineTestData _data = null!;

    public EngineTestHost Host { get; private set; } = null!;

    public CreateRotationRequest Valid { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _data = await EngineTestData.CreateAsync();
        Host = await EngineTestHost.StartAsync(_data);
        await Host.CreateAsync(await Host.RequestAsync("taken", SandboxSeed.BillingServiceClientId, RotationStrategy.SinglePhase));
        var folder = (await Host.Secrets.FindFolderAsync(await Host.DefaultProjectIdAsync(), "dev", "/"))!;
        await Host.Secrets.CreateSecretAsync(folder.Id, "EXISTING_SECRET", "manual-value", Actor.User("ada"));
        Valid = await Host.RequestAsync("fresh", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await _data.DisposeAsync();
    }
}

/// <summary>Every invalid create gives per-field errors, changes nothing, and changes nothing in Auth0.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public class ValidationTests(ValidationFixture fixture) : IClassFixture<ValidationFixture>
{
    private readonly EngineTestHost _host = fixture.Host;
    private readonly CreateRotationRequest _valid = fixture.Valid;

    public static TheoryData<string, string> LocallyInvalid => new()
    {
        { "bad-name", "name" },
        { "duplicate-name", "name" },
        { "long-description", "description" },
        { "unknown-type", "type" },
        { "wrong-strategy", "strategy" },
        { "unknown-connection", "connectionId" },
        { "unknown-project", "projectId" },
        { "unknown-environment", "environment" },
        { "missing-folder", "secretPath" },
        { "bad-path", "secretPath" },
        { "interval-zero", "rotationInterval" },
        { "interval-too-long", "rotationInterval" },
        { "hours-24", "rotateAtUtc.hours" },
        { "minutes-60", "rotateAtUtc.minutes" },
        { "no-client-id", "parameters.clientId" },
        { "mapping-duplicate", "secretsMapping" },
        { "mapping-colon", "secretsMapping.clientSecret" },
        { "mapping-slash", "secretsMapping.clientId" },
        { "mapping-exists", "secretsMapping" },
        { "mapping-taken-by-rotation", "secretsMapping" },
        { "key-fields-on-secret-type", "secretsMapping.privateKey" },
        { "negative-lead-time", "stagedLeadTime" },
    };

    [Theory]
    [MemberData(nameof(LocallyInvalid))]
    public async Task A_locally_invalid_create_changes_nothing_and_makes_no_auth0_call(string case_, string field)
    {
        var request = Invalid(case_);
        var before = await SnapshotAsync();
        _host.Requests.Clear();

        var result = await _host.CreateRotation.ExecuteAsync(request, EngineTestHost.Admin);

        Assert.Equal(OperationFailureKind.Validation, result.Failure?.Kind);
        Assert.True(result.Failure!.Errors.ContainsKey(field), $"{case_}: expected an error on {field}, got {string.Join(", ", result.Failure.Errors.Keys)}");
        Assert.Empty(_host.Requests.All);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public void Error_texts_follow_infisical()
    {
        Assert.Equal("A Secret Rotation with the name \"taken\" already exists at the secret path \"/\"", RotationRules.DuplicateNameMessage("taken", "/"));
    }

    [Fact]
    public async Task Duplicate_name_and_existing_secret_messages_name_the_folder()
    {
        var duplicate = await _host.CreateRotation.ExecuteAsync(Invalid("duplicate-name"), EngineTestHost.Admin);
        var existing = await _host.CreateRotation.ExecuteAsync(Invalid("mapping-exists"), EngineTestHost.Admin);

        Assert.Equal(["A Secret Rotation with the name \"taken\" already exists at the secret path \"/\""], duplicate.Failure!.Errors["name"]);
        Assert.Equal(["The following secrets already exist at the path \"/\": EXISTING_SECRET"], existing.Failure!.Errors["secretsMapping"]);
    }

    public static TheoryData<string, string, string> RefusedByAuth0Checks => new()
    {
        { "unknown-application", "parameters.clientId", "was not found in the tenant" },
        { "own-application", "parameters.clientId", "connection's own application" },
        { "sign-in-application", "parameters.clientId", "dashboard's own sign-in application" },
        { "public-application", "parameters.clientId", "public application" },
        { "secret-type-on-key-application", "parameters.clientId", "Private Key JWT" },
        { "missing-scopes", "connectionId", "update:client_keys" },
    };

    [Theory]
    [MemberData(nameof(RefusedByAuth0Checks))]
    public async Task Checks_against_auth0_only_read(string case_, string field, string text)
    {
        var request = case_ switch
        {
            "unknown-application" => _valid.With(s => s with { Parameters = new RotationParameters("no-such-app") }),
            "own-application" => _valid.With(s => s with { Parameters = new RotationParameters(SandboxSeed.DashboardClientId) }),
            "sign-in-application" => _valid.With(s => s with { Parameters = new RotationParameters(SandboxSeed.LoginClientId) }),
            "public-application" => _valid.With(s => s with { Parameters = new RotationParameters(SandboxSeed.MobileAppClientId) }),
            "secret-type-on-key-application" => _valid.With(s => s with { Parameters = new RotationParameters(SandboxSeed.LedgerSyncClientId) }),
            "missing-scopes" => _valid with { Settings = _valid.Settings with { ConnectionId = await LimitedConnectionAsync() } },
            _ => throw new ArgumentOutOfRangeException(nameof(case_)),
        };
        var before = await SnapshotAsync();
        var secrets = _host.Sandbox.GetClients().Select(c => (c.ClientId, c.ClientSecret, c.Credentials.Count)).ToList();
        _host.Requests.Clear();

        var result = await _host.CreateRotation.ExecuteAsync(request, EngineTestHost.Admin);

        Assert.Equal(OperationFailureKind.Validation, result.Failure?.Kind);
        Assert.Contains(text, string.Join(" ", result.Failure!.Errors.GetValueOrDefault(field) ?? []), StringComparison.Ordinal);
        Assert.Empty(_host.Requests.Mutations);
        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal(secrets, _host.Sandbox.GetClients().Select(c => (c.ClientId, c.ClientSecret, c.Credentials.Count)).ToList());
    }

    [Fact]
    public async Task Only_an_admin_may_create_and_the_refusal_is_audited()
    {
        _host.Requests.Clear();

        await Assert.ThrowsAsync<ForbiddenActionException>(() => _host.CreateRotation.ExecuteAsync(_valid, EngineTestHost.Viewer));
        await Assert.ThrowsAsync<ForbiddenActionException>(() => _host.RotateNow.ExecuteAsync(Guid.NewGuid(), RunTrigger.Manual, EngineTestHost.Viewer, false));

        Assert.Empty(_host.Requests.All);
        await using var db = _host.CreateContext();
        var denied = await db.AuditEvents.Where(e => e.Outcome == AuditOutcome.Denied && e.ActorName == "victor@sandbox.test").ToListAsync();
        Assert.Equal([AuditActions.RotationCreate, AuditActions.RotationRotate], denied.Select(e => e.Action));
        Assert.All(denied, e => Assert.Equal("victor@sandbox.test", e.ActorName));
    }

    private CreateRotationRequest Invalid(string case_) => case_ switch
    {
        "bad-name" => _valid.With(s => s with { Name = "Bad Name" }),
        "duplicate-name" => _valid.With(s => s with { Name = "taken" }),
        "long-description" => _valid.With(s => s with { Description = new string('d', 257) }),
        "unknown-type" => _valid.With(s => s with { Type = (RotationType)99 }),
        "wrong-strategy" => _valid.With(s => s with { Strategy = RotationStrategy.PrivateKeyJwt }),
        "unknown-connection" => _valid.With(s => s with { ConnectionId = Guid.NewGuid() }),
        "unknown-project" => _valid.With(s => s with { ProjectId = Guid.NewGuid() }),
        "unknown-environment" => _valid with { Environment = "qa" },
        "missing-folder" => _valid with { SecretPath = "/payments" },
        "bad-path" => _valid with { SecretPath = "/../etc" },
        "interval-zero" => _valid.With(s => s with { RotationInterval = 0 }),
        "interval-too-long" => _valid.With(s => s with { RotationInterval = 366 }),
        "hours-24" => _valid.With(s => s with { RotateAtUtc = new RotateAtUtc(24, 0) }),
        "minutes-60" => _valid.With(s => s with { RotateAtUtc = new RotateAtUtc(0, 60) }),
        "no-client-id" => _valid.With(s => s with { Parameters = new RotationParameters(" ") }),
        "mapping-duplicate" => _valid.With(s => s with { SecretsMapping = new SecretsMapping("SAME", ClientSecret: "SAME") }),
        "mapping-colon" => _valid.With(s => s with { SecretsMapping = new SecretsMapping("FRESH_ID", ClientSecret: "FRESH:SECRET") }),
        "mapping-slash" => _valid.With(s => s with { SecretsMapping = new SecretsMapping("FRESH/ID", ClientSecret: "FRESH_SECRET") }),
        "mapping-exists" => _valid.With(s => s with { SecretsMapping = new SecretsMapping("FRESH_ID", ClientSecret: "EXISTING_SECRET") }),
        "mapping-taken-by-rotation" => _valid.With(s => s with { SecretsMapping = new SecretsMapping("TAKEN_CLIENT_ID", ClientSecret: "FRESH_SECRET") }),
        "key-fields-on-secret-type" => _valid.With(s => s with { SecretsMapping = new SecretsMapping("FRESH_ID", ClientSecret: "FRESH_SECRET", PrivateKey: "FRESH_KEY") }),
        "negative-lead-time" => _valid.With(s => s with { StagedLeadTime = TimeSpan.FromSeconds(-1) }),
        _ => throw new ArgumentOutOfRangeException(nameof(case_)),
    };

    private async Task<Guid> LimitedConnectionAsync()
    {
        var limited = _host.Sandbox.CreateManagementClient("Limited M2M", ["read:clients"]);
        return await _host.SandboxConnectionAsync("limited", limited.ClientId, limited.ClientSecret!);
    }

    private async Task<string> SnapshotAsync()
    {
        await using var db = _host.CreateContext();
        return $"rotations {await db.Rotations.CountAsync()}, runs {await db.RotationRuns.CountAsync()}, secrets {await db.Secrets.CountAsync()}, " +
               $"versions {await db.SecretVersions.CountAsync()}, audit {await db.AuditEvents.CountAsync(e => e.Outcome != AuditOutcome.Denied)}";
    }
}
