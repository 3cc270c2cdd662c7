using RotationDashboard.Testing;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Secrets;

namespace RotationDashboard.Core.Tests.Secrets;

[Trait(TestKind.Trait, TestKind.Unit)]
public class SecretTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 10, 14, 0, 0, TimeSpan.Zero);
    private static readonly SecretAuthor Ada = SecretAuthor.Manual(Actor.User("ada@example.com"));
    private readonly ISecretProtector _protector = TestProtector.Create();
    private readonly Guid _folderId = Guid.NewGuid();
    private readonly Guid _rotationId = Guid.NewGuid();

    private SecretAuthor Rotation => SecretAuthor.Rotation(_rotationId, "my-auth0-rotation");

    [Fact]
    public void Create_writes_an_encrypted_current_version_one()
    {
        var secret = Secret.Create(_folderId, "  DB_PASSWORD ", "hunter2", Ada, _protector, Now);

        Assert.Equal("DB_PASSWORD", secret.Key);
        var version = Assert.Single(secret.Versions);
        Assert.Equal((1, SecretStage.Current, "user:ada@example.com"), (version.Version, version.Stage, version.WrittenBy));
        Assert.Equal("hunter2", secret.RevealCurrent(_protector));
        Assert.Null(secret.NextVersion);
        Assert.False(secret.IsOwnedByRotation);
    }

    [Fact]
    public void Value_is_bound_to_its_secret_so_a_blob_copied_to_another_secret_does_not_decrypt()
    {
        var first = Secret.Create(_folderId, "A", "value-a", Ada, _protector, Now);
        var second = Secret.Create(_folderId, "B", "value-b", Ada, _protector, Now);

        var foreignBlob = first.CurrentVersion!.EncryptedValue;
        Assert.Throws<SecretDecryptionException>(() =>
            _protector.UnprotectString(foreignBlob, ProtectionPurposes.SecretValue(second.Id)));
    }

    [Fact]
    public void Manual_set_makes_a_new_current_and_keeps_previous_then_archives_the_older_one()
    {
        var secret = Secret.Create(_folderId, "KEY", "v1", Ada, _protector, Now);

        secret.SetValue("v2", Ada, _protector, Now.AddMinutes(1));
        Assert.Equal("v2", secret.RevealCurrent(_protector));
        Assert.Equal("v1", secret.Reveal(secret.PreviousVersion!, _protector));

        secret.SetValue("v3", Ada, _protector, Now.AddMinutes(2));
        Assert.Equal(
            [(1, SecretStage.Archived), (2, SecretStage.Previous), (3, SecretStage.Current)],
            secret.Versions.OrderBy(v => v.Version).Select(v => (v.Version, v.Stage)));
        Assert.Equal(3, secret.LatestVersion);
        Assert.Equal(Now.AddMinutes(2), secret.UpdatedAt);
    }

    [Fact]
    public void Publish_then_promote_moves_next_to_current_and_current_to_previous()
    {
        var secret = Secret.Create(_folderId, "AUTH0_CLIENT_SECRET", "old", Rotation, _protector, Now);

        var next = secret.PublishNext("new", Rotation, _protector, Now.AddMinutes(1));
        Assert.Equal(SecretStage.Next, next.Stage);
        Assert.Equal("old", secret.RevealCurrent(_protector));
        Assert.Equal("new", secret.RevealNext(_protector));

        var promoted = secret.PromoteNext(Rotation, Now.AddMinutes(2));
        Assert.Same(next, promoted);
        Assert.Equal("new", secret.RevealCurrent(_protector));
        Assert.Equal("old", secret.Reveal(secret.PreviousVersion!, _protector));
        Assert.Null(secret.NextVersion);
        Assert.Equal("rotation:my-auth0-rotation", promoted.WrittenBy);
    }

    [Fact]
    public void Second_promotion_archives_the_oldest_and_keeps_full_history()
    {
        var secret = Secret.Create(_folderId, "K", "a", Rotation, _protector, Now);
        secret.PublishNext("b", Rotation, _protector, Now);
        secret.PromoteNext(Rotation, Now);
        secret.PublishNext("c", Rotation, _protector, Now);
        secret.PromoteNext(Rotation, Now);

        Assert.Equal(
            [SecretStage.Archived, SecretStage.Previous, SecretStage.Current],
            secret.Versions.OrderBy(v => v.Version).Select(v => v.Stage));
        Assert.Equal("c", secret.RevealCurrent(_protector));
    }

    [Fact]
    public void Publishing_a_different_next_archives_the_unpromoted_one()
    {
        var secret = Secret.Create(_folderId, "K", "current", Rotation, _protector, Now);
        var first = secret.PublishNext("next-1", Rotation, _protector, Now);

        var second = secret.PublishNext("next-2", Rotation, _protector, Now);

        Assert.Equal(SecretStage.Archived, first.Stage);
        Assert.Equal(SecretStage.Next, second.Stage);
        Assert.Equal("next-2", secret.RevealNext(_protector));
        Assert.Equal("current", secret.RevealCurrent(_protector));
        Assert.Single(secret.Versions, v => v.Stage == SecretStage.Next);
    }

    [Fact]
    public void Publishing_the_same_next_again_is_idempotent()
    {
        var secret = Secret.Create(_folderId, "K", "current", Rotation, _protector, Now);
        var first = secret.PublishNext("next", Rotation, _protector, Now);

        var again = secret.PublishNext("next", Rotation, _protector, Now.AddSeconds(5));

        Assert.Same(first, again);
        Assert.Equal(2, secret.Versions.Count);
    }

    [Fact]
    public void Promote_without_next_is_refused()
    {
        var secret = Secret.Create(_folderId, "K", "current", Rotation, _protector, Now);

        var ex = Assert.Throws<SecretStageException>(() => secret.PromoteNext(Rotation, Now));
        Assert.Contains("no NEXT", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rotation_owned_secret_refuses_manual_edit_rename_and_delete_and_changes_nothing()
    {
        var secret = Secret.Create(_folderId, "AUTH0_CLIENT_SECRET", "s3cr3t-rotated-value", Rotation, _protector, Now);
        var updatedAt = secret.UpdatedAt;

        var edit = Assert.Throws<RotationOwnedSecretException>(() => secret.SetValue("by-hand", Ada, _protector, Now.AddDays(1)));
        Assert.Throws<RotationOwnedSecretException>(() => secret.Rename("OTHER", Ada, Now.AddDays(1)));
        Assert.Throws<RotationOwnedSecretException>(() => secret.PublishNext("x", Ada, _protector, Now.AddDays(1)));
        var delete = Assert.Throws<RotationOwnedSecretException>(() => secret.EnsureCanBeDeletedBy(Ada));

        Assert.Contains("managed by a secret rotation", edit.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be deleted", delete.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-rotated-value", edit.Message, StringComparison.Ordinal);
        Assert.Equal(_rotationId, edit.OwnerRotationId);
        Assert.Single(secret.Versions);
        Assert.Equal("AUTH0_CLIENT_SECRET", secret.Key);
        Assert.Equal(updatedAt, secret.UpdatedAt);
    }

    [Fact]
    public void A_rotation_cannot_write_a_secret_it_does_not_own()
    {
        var manual = Secret.Create(_folderId, "K", "v", Ada, _protector, Now);
        var owned = Secret.Create(_folderId, "L", "v", Rotation, _protector, Now);
        var otherRotation = SecretAuthor.Rotation(Guid.NewGuid(), "other");

        Assert.Throws<SecretNotOwnedByRotationException>(() => manual.PublishNext("x", Rotation, _protector, Now));
        Assert.Throws<SecretNotOwnedByRotationException>(() => owned.SetValue("x", otherRotation, _protector, Now));
    }

    [Fact]
    public void Released_secret_becomes_editable_by_hand()
    {
        var secret = Secret.Create(_folderId, "K", "rotated", Rotation, _protector, Now);

        secret.ReleaseFromRotation(_rotationId, Now);
        secret.SetValue("by-hand", Ada, _protector, Now);

        Assert.False(secret.IsOwnedByRotation);
        Assert.Equal("by-hand", secret.RevealCurrent(_protector));
    }

    [Fact]
    public void Rotation_created_secret_can_start_with_next_only()
    {
        var secret = Secret.CreateForRotation(_folderId, "AUTH0_CLIENT_SECRET", _rotationId, Now);
        secret.PublishNext("first", Rotation, _protector, Now);

        Assert.Null(secret.CurrentVersion);
        secret.PromoteNext(Rotation, Now);
        Assert.Equal("first", secret.RevealCurrent(_protector));
        Assert.Null(secret.PreviousVersion);
    }

    [Fact]
    public void Invalid_input_throws_validation_errors_and_changes_nothing()
    {
        var secret = Secret.Create(_folderId, "K", "v", Ada, _protector, Now);

        var rename = Assert.Throws<DomainValidationException>(() => secret.Rename("bad key", Ada, Now.AddDays(1)));
        var tooLong = Assert.Throws<DomainValidationException>(() =>
            secret.SetValue(new string('x', Secret.MaxValueLength + 1), Ada, _protector, Now.AddDays(1)));

        Assert.True(rename.Errors.ContainsKey("key"));
        Assert.True(tooLong.Errors.ContainsKey("value"));
        Assert.Equal("K", secret.Key);
        Assert.Single(secret.Versions);
        Assert.Equal(Now, secret.UpdatedAt);
        Assert.Throws<DomainValidationException>(() => Secret.Create(_folderId, "a:b", "v", Ada, _protector, Now));
    }

    [Fact]
    public void ToString_never_shows_values()
    {
        var secret = Secret.Create(_folderId, "K", "very-secret-value", Ada, _protector, Now);

        Assert.DoesNotContain("very-secret-value", secret.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret-value", secret.CurrentVersion!.ToString(), StringComparison.Ordinal);
        var snapshot = new SecretValueSnapshot(secret.Id, "K", Guid.NewGuid(), 1, SecretStage.Current, "very-secret-value");
        Assert.DoesNotContain("very-secret-value", snapshot.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Discarding_next_archives_it_and_keeps_current_and_repeats_harmlessly()
    {
        var secret = Secret.CreateForRotation(_folderId, "AUTH0_CLIENT_SECRET", _rotationId, Now);
        secret.PublishNext("first", Rotation, _protector, Now);
        secret.PromoteNext(Rotation, Now);
        secret.PublishNext("rejected", Rotation, _protector, Now);

        var discarded = secret.DiscardNext(Rotation, Now.AddMinutes(1));

        Assert.Equal(SecretStage.Archived, discarded!.Stage);
        Assert.Null(secret.NextVersion);
        Assert.Equal("first", secret.RevealCurrent(_protector));
        Assert.Null(secret.DiscardNext(Rotation, Now.AddMinutes(2)));
        Assert.Throws<RotationOwnedSecretException>(() => secret.DiscardNext(Ada, Now));
    }
}
