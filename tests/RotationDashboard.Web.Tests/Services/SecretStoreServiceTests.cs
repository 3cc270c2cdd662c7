using RotationDashboard.Testing;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Web.Services.Secrets;
using RotationDashboard.Web.Tests.Data;

namespace RotationDashboard.Web.Tests.Services;

[Trait(TestKind.Trait, TestKind.Unit)]
public class SecretStoreServiceTests
{
    private const string Value = "manual-s3cret-value-1";
    private static readonly Actor Ada = Actor.User("ada@example.com");

    [Fact]
    public async Task Create_reveal_update_delete_are_audited_without_the_value()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = database.CreateSecretStore();
        var folder = await database.RootFolderAsync();

        var created = await store.CreateSecretAsync(folder.Id, " DB_PASSWORD ", Value, Ada);
        Assert.True(created.Succeeded);
        Assert.Equal(("DB_PASSWORD", 1, false), (created.Value.Key, created.Value.CurrentVersion, created.Value.IsOwnedByRotation));

        var revealed = await store.RevealAsync(created.Value.Id, null, Ada);
        Assert.Equal(Value, revealed.Value.Value);
        Assert.DoesNotContain(Value, revealed.Value.ToString(), StringComparison.Ordinal);

        var updated = await store.UpdateSecretAsync(created.Value.Id, new SecretUpdate("DB_PASS", Value + "-2", created.Value.RowVersion), Ada);
        Assert.True(updated.Succeeded, updated.ToString());
        Assert.Equal(("DB_PASS", 2), (updated.Value.Key, updated.Value.CurrentVersion));

        var old = (await store.GetVersionHistoryAsync(created.Value.Id)).Single(v => v.Version == 1);
        Assert.Equal(SecretStage.Previous, old.Stage);
        Assert.Equal(Value, (await store.RevealAsync(created.Value.Id, old.Id, Ada)).Value.Value);

        Assert.True((await store.DeleteSecretAsync(created.Value.Id, Ada)).Succeeded);
        Assert.Null(await store.GetSecretAsync(created.Value.Id));

        await using var db = database.CreateContext();
        var audit = await db.AuditEvents.OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(
            [AuditActions.SecretCreate, AuditActions.SecretReveal, AuditActions.SecretUpdate, AuditActions.SecretReveal, AuditActions.SecretDelete],
            audit.Select(e => e.Action));
        Assert.All(audit, e =>
        {
            Assert.Equal((ActorType.User, "ada@example.com", AuditOutcome.Success), (e.ActorType, e.ActorName, e.Outcome));
            Assert.Equal(created.Value.Id.ToString(), e.TargetId);
            foreach (var text in new[] { e.Details, e.TargetName, e.ActorName, e.TargetType })
            {
                Assert.DoesNotContain("s3cret-value", text ?? "", StringComparison.Ordinal);
            }
        });
        Assert.Contains("Renamed from \"DB_PASSWORD\"", audit[2].Details, StringComparison.Ordinal);
        Assert.Equal("Version 1 (Previous).", audit[3].Details);
        Assert.Equal(0, await db.SecretVersions.CountAsync());
    }

    [Fact]
    public async Task Validation_errors_are_per_field_and_change_nothing()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = database.CreateSecretStore();
        var folder = await database.RootFolderAsync();
        var existing = (await store.CreateSecretAsync(folder.Id, "TAKEN", Value, Ada)).Value;
        var before = await CountsAsync(database);

        var invalid = await store.CreateSecretAsync(folder.Id, "bad:key", new string('x', Secret.MaxValueLength + 1), Ada);
        var duplicate = await store.CreateSecretAsync(folder.Id, "TAKEN", "other", Ada);
        var badRename = await store.UpdateSecretAsync(existing.Id, new SecretUpdate(NewKey: "has space"), Ada);
        var nothing = await store.UpdateSecretAsync(existing.Id, new SecretUpdate(), Ada);
        var missingFolder = await store.CreateSecretAsync(Guid.NewGuid(), "OK", "v", Ada);

        Assert.Equal(OperationFailureKind.Validation, invalid.Failure!.Kind);
        Assert.Equal(["Secret name cannot contain colon or forward slash."], invalid.Failure.Errors["key"]);
        Assert.Equal([$"Value must be at most {Secret.MaxValueLength} characters."], invalid.Failure.Errors["value"]);
        Assert.Equal(["A secret named \"TAKEN\" already exists in this folder."], duplicate.Failure!.Errors["key"]);
        Assert.Equal(["Secret name cannot contain spaces or other whitespace."], badRename.Failure!.Errors["key"]);
        Assert.True(nothing.Failure!.Errors.ContainsKey("value"));
        Assert.Equal(OperationFailureKind.NotFound, missingFolder.Failure!.Kind);
        Assert.Equal(before, await CountsAsync(database));
        Assert.Equal(Value, (await store.ReadCurrentAsync(folder.Id, "TAKEN"))!.Value);
    }

    [Fact]
    public async Task Rename_onto_an_existing_key_is_refused()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = database.CreateSecretStore();
        var folder = await database.RootFolderAsync();
        var first = (await store.CreateSecretAsync(folder.Id, "FIRST", "1", Ada)).Value;
        await store.CreateSecretAsync(folder.Id, "SECOND", "2", Ada);

        var result = await store.UpdateSecretAsync(first.Id, new SecretUpdate(NewKey: "SECOND"), Ada);

        Assert.Equal(["A secret named \"SECOND\" already exists in this folder."], result.Failure!.Errors["key"]);
        Assert.Equal("FIRST", (await store.GetSecretAsync(first.Id))!.Key);
    }

    [Fact]
    public async Task Stale_expected_row_version_is_a_conflict()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = database.CreateSecretStore();
        var folder = await database.RootFolderAsync();
        var created = (await store.CreateSecretAsync(folder.Id, "K", "v1", Ada)).Value;
        Assert.True((await store.UpdateSecretAsync(created.Id, new SecretUpdate(NewValue: "v2", ExpectedRowVersion: created.RowVersion), Ada)).Succeeded);

        var stale = await store.UpdateSecretAsync(created.Id, new SecretUpdate(NewValue: "v3", ExpectedRowVersion: created.RowVersion), Ada);
        var staleDelete = await store.DeleteSecretAsync(created.Id, Ada, created.RowVersion);

        Assert.Equal(OperationFailureKind.Conflict, stale.Failure!.Kind);
        Assert.Equal(OperationFailureKind.Conflict, staleDelete.Failure!.Kind);
        Assert.Equal("v2", (await store.ReadCurrentAsync(folder.Id, "K"))!.Value);
    }

    [Fact]
    public async Task Manual_edits_of_rotation_owned_secrets_are_denied_audited_and_change_nothing()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = database.CreateSecretStore();
        var folder = await database.RootFolderAsync();
        var rotation = await database.AddRotationAsync();
        var identity = new RotationIdentity(rotation.Id, rotation.Name);
        Assert.True((await store.SetCurrentAsync(identity, folder.Id, new Dictionary<string, string> { ["AUTH0_CLIENT_SECRET"] = "rotated-value" }, Actor.Scheduler)).Succeeded);
        var secret = (await store.ListSecretsAsync(folder.Id)).Single();
        Assert.Equal((rotation.Id, rotation.Name), (secret.OwnerRotationId!.Value, secret.OwnerRotationName));

        var edit = await store.UpdateSecretAsync(secret.Id, new SecretUpdate(NewValue: "by-hand"), Ada);
        var delete = await store.DeleteSecretAsync(secret.Id, Ada);

        Assert.Equal(OperationFailureKind.Conflict, edit.Failure!.Kind);
        Assert.Contains("managed by a secret rotation", edit.Failure.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be deleted", delete.Failure!.Message, StringComparison.Ordinal);
        Assert.Equal("rotated-value", (await store.ReadCurrentAsync(folder.Id, "AUTH0_CLIENT_SECRET"))!.Value);
        Assert.Single(await store.GetVersionHistoryAsync(secret.Id));

        await using var db = database.CreateContext();
        var denied = await db.AuditEvents.Where(e => e.Outcome == AuditOutcome.Denied).OrderBy(e => e.Id).ToListAsync();
        Assert.Equal([AuditActions.SecretUpdate, AuditActions.SecretDelete], denied.Select(e => e.Action));
        Assert.All(denied, e => Assert.Contains(rotation.Name, e.Details, StringComparison.Ordinal));

        Assert.True((await store.ReleaseRotationSecretsAsync(identity, Ada)).Succeeded);
        Assert.True((await store.UpdateSecretAsync(secret.Id, new SecretUpdate(NewValue: "by-hand"), Ada)).Succeeded);
    }

    [Fact]
    public async Task Rotation_flow_publish_promote_keeps_previous_and_audits_each_secret()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = database.CreateSecretStore();
        var folder = await database.RootFolderAsync();
        var rotation = await database.AddRotationAsync();
        var identity = new RotationIdentity(rotation.Id, rotation.Name);
        var first = new Dictionary<string, string> { ["AUTH0_CLIENT_ID"] = "app-client-id", ["AUTH0_CLIENT_SECRET"] = "secret-1" };

        Assert.True((await store.SetCurrentAsync(identity, folder.Id, first, Actor.Scheduler)).Succeeded);
        var publish = new Dictionary<string, string> { ["AUTH0_CLIENT_SECRET"] = "secret-2" };
        Assert.True((await store.PublishNextAsync(identity, folder.Id, publish, Actor.Scheduler)).Succeeded);
        Assert.True((await store.PublishNextAsync(identity, folder.Id, publish, Actor.Scheduler)).Succeeded); // resumed run: no-op

        Assert.Equal("secret-1", (await store.ReadCurrentAsync(folder.Id, "AUTH0_CLIENT_SECRET"))!.Value);
        var next = await store.ReadNextAsync(folder.Id, "AUTH0_CLIENT_SECRET");
        Assert.Equal(("secret-2", 2, SecretStage.Next), (next!.Value, next.Version, next.Stage));
        Assert.True((await store.ListSecretsAsync(folder.Id)).Single(s => s.Key == "AUTH0_CLIENT_SECRET").HasNext);

        Assert.True((await store.PromoteNextAsync(identity, folder.Id, ["AUTH0_CLIENT_SECRET"], Actor.Scheduler)).Succeeded);
        Assert.Equal("secret-2", (await store.ReadCurrentAsync(folder.Id, "AUTH0_CLIENT_SECRET"))!.Value);
        Assert.Null(await store.ReadNextAsync(folder.Id, "AUTH0_CLIENT_SECRET"));
        var secretId = (await store.ListSecretsAsync(folder.Id)).Single(s => s.Key == "AUTH0_CLIENT_SECRET").Id;
        var history = await store.GetVersionHistoryAsync(secretId);
        Assert.Equal([(2, SecretStage.Current), (1, SecretStage.Previous)], history.Select(v => (v.Version, v.Stage)));
        Assert.All(history, v => Assert.Equal("rotation:my-auth0-rotation", v.WrittenBy));

        var again = await store.PromoteNextAsync(identity, folder.Id, ["AUTH0_CLIENT_SECRET"], Actor.Scheduler);
        Assert.Equal(OperationFailureKind.Conflict, again.Failure!.Kind);
        Assert.Contains("no NEXT", again.Failure.Message, StringComparison.Ordinal);

        await using var db = database.CreateContext();
        var actions = await db.AuditEvents.OrderBy(e => e.Id).Select(e => e.Action).ToListAsync();
        Assert.Equal(
            [AuditActions.SecretSetCurrent, AuditActions.SecretSetCurrent, AuditActions.SecretPublishNext, AuditActions.SecretPromoteNext],
            actions);
        Assert.DoesNotContain(await db.AuditEvents.Select(e => e.Details).ToListAsync(), d => d != null && d.Contains("secret-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rotation_writes_refuse_secrets_they_do_not_own_with_infisicals_message()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = database.CreateSecretStore();
        var folder = await database.RootFolderAsync();
        await store.CreateSecretAsync(folder.Id, "AUTH0_CLIENT_SECRET", Value, Ada);
        var rotation = await database.AddRotationAsync();
        var before = await CountsAsync(database);

        var result = await store.PublishNextAsync(new RotationIdentity(rotation.Id, rotation.Name), folder.Id,
            new Dictionary<string, string> { ["AUTH0_CLIENT_ID"] = "id", ["AUTH0_CLIENT_SECRET"] = "new" }, Actor.Scheduler);

        Assert.Equal(OperationFailureKind.Conflict, result.Failure!.Kind);
        Assert.Equal("The following secrets already exist at the path \"/\": AUTH0_CLIENT_SECRET", result.Failure.Message);
        Assert.Equal(before, await CountsAsync(database));
        Assert.Null(await store.ReadCurrentAsync(folder.Id, "AUTH0_CLIENT_ID"));
    }

    [Fact]
    public async Task Folders_are_created_with_their_parents_and_validated()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = database.CreateSecretStore();
        var project = (await store.ListProjectsAsync()).Single();
        var environments = await store.ListEnvironmentsAsync(project.Id);
        Assert.Equal(["dev", "staging", "prod"], environments.Select(e => e.Slug));
        var dev = environments[0];

        var created = await store.CreateFolderAsync(dev.Id, "payments/eu/", Ada);
        var duplicate = await store.CreateFolderAsync(dev.Id, "/payments/eu", Ada);
        var invalid = await store.CreateFolderAsync(dev.Id, "/a/../b", Ada);
        var noEnvironment = await store.CreateFolderAsync(Guid.NewGuid(), "/x", Ada);

        Assert.Equal("/payments/eu", created.Value.Path);
        Assert.Equal(["/", "/payments", "/payments/eu"], (await store.ListFoldersAsync(dev.Id)).Select(f => f.Path));
        Assert.True(duplicate.Failure!.Errors.ContainsKey("path"));
        Assert.True(invalid.Failure!.Errors.ContainsKey("path"));
        Assert.Equal(OperationFailureKind.NotFound, noEnvironment.Failure!.Kind);
        Assert.Equal(created.Value.Id, (await store.FindFolderAsync(project.Id, "dev", "/payments/eu/"))!.Id);
        Assert.Null(await store.FindFolderAsync(project.Id, "prod", "/payments/eu"));

        await using var db = database.CreateContext();
        var audit = await db.AuditEvents.SingleAsync();
        Assert.Equal((AuditActions.FolderCreate, "/payments/eu"), (audit.Action, audit.TargetName));
    }

    [Fact]
    public async Task Reveal_of_missing_secret_or_version_is_not_found_and_not_audited()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = database.CreateSecretStore();
        var folder = await database.RootFolderAsync();
        var secret = (await store.CreateSecretAsync(folder.Id, "K", "v", Ada)).Value;

        Assert.Equal(OperationFailureKind.NotFound, (await store.RevealAsync(Guid.NewGuid(), null, Ada)).Failure!.Kind);
        Assert.Equal(OperationFailureKind.NotFound, (await store.RevealAsync(secret.Id, Guid.NewGuid(), Ada)).Failure!.Kind);

        await using var db = database.CreateContext();
        Assert.Equal(0, await db.AuditEvents.CountAsync(e => e.Action == AuditActions.SecretReveal));
    }

    private static async Task<(int Secrets, int Versions, int Audit)> CountsAsync(TestDatabase database)
    {
        await using var db = database.CreateContext();
        return (await db.Secrets.CountAsync(), await db.SecretVersions.CountAsync(), await db.AuditEvents.CountAsync());
    }
}
