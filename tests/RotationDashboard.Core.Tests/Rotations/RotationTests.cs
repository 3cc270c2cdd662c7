using RotationDashboard.Testing;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Scheduling;

namespace RotationDashboard.Core.Tests.Rotations;

[Trait(TestKind.Trait, TestKind.Unit)]
public class RotationTests
{
    private static readonly DateTimeOffset Created = new(2025, 1, 10, 14, 0, 0, TimeSpan.Zero);
    private readonly NextRotationCalculator _calculator = NextRotationCalculator.Default;
    private readonly ISecretProtector _protector = TestProtector.Create();

    [Fact]
    public void Create_applies_defaults_and_counts_as_manual()
    {
        var rotation = Rotation.Create(RotationRulesTests.ValidSettings() with { Name = " my-auth0-rotation ", Description = "  " }, Created);

        Assert.Equal("my-auth0-rotation", rotation.Name);
        Assert.Null(rotation.Description);
        Assert.Equal(RotationStrategy.SinglePhase, rotation.Strategy);
        Assert.True(rotation.IsLastRotationManual);
        Assert.Null(rotation.RotationStatus);
        Assert.Null(rotation.NextRotationAt);
        Assert.Equal(0, rotation.ActiveIndex);
        Assert.Equal(1, rotation.InactiveIndex);
        Assert.Equal(RotationRules.DefaultStagedLeadTime, rotation.StagedLeadTime);
    }

    [Fact]
    public void Create_with_invalid_settings_throws_per_field_errors()
    {
        var ex = Assert.Throws<DomainValidationException>(() =>
            Rotation.Create(RotationRulesTests.ValidSettings() with { Name = "Bad Name", RotationInterval = 0 }, Created));

        Assert.True(ex.Errors.ContainsKey("name"));
        Assert.True(ex.Errors.ContainsKey("rotationInterval"));
    }

    [Fact]
    public void Success_sets_status_times_job_id_and_next_rotation()
    {
        var rotation = Rotation.Create(RotationRulesTests.ValidSettings(), Created);
        var runId = Guid.NewGuid();

        rotation.RecordSuccess(runId, isManual: true, _calculator, Created);

        Assert.Equal(RotationStatus.Success, rotation.RotationStatus);
        Assert.Equal(Created, rotation.LastRotatedAt);
        Assert.Equal(Created, rotation.LastRotationAttemptedAt);
        Assert.Equal(runId, rotation.LastRotationJobId);
        Assert.Equal(new DateTimeOffset(2025, 2, 10, 0, 0, 0, TimeSpan.Zero), rotation.NextRotationAt);
    }

    [Fact]
    public void Failure_keeps_last_rotated_at_stores_an_encrypted_truncated_message_and_schedules_a_retry()
    {
        var rotation = Rotation.Create(RotationRulesTests.ValidSettings(), Created);
        rotation.RecordSuccess(Guid.NewGuid(), true, _calculator, Created);
        var failedAt = Created.AddDays(31).AddHours(-14).AddMinutes(1); // 2025-02-10 00:01

        rotation.RecordFailure(Guid.NewGuid(), new string('e', 2000), isManual: false, _protector, _calculator, failedAt);

        Assert.Equal(RotationStatus.Failed, rotation.RotationStatus);
        Assert.Equal(Created, rotation.LastRotatedAt);
        Assert.Equal(failedAt, rotation.LastRotationAttemptedAt);
        Assert.Equal(new DateTimeOffset(2025, 2, 11, 0, 0, 0, TimeSpan.Zero), rotation.NextRotationAt);
        Assert.Equal(1024, rotation.ReadLastRotationMessage(_protector)!.Length);
        Assert.DoesNotContain("eeeeeeee", System.Text.Encoding.Latin1.GetString(rotation.EncryptedLastRotationMessage!), StringComparison.Ordinal);

        rotation.RecordSuccess(Guid.NewGuid(), false, _calculator, failedAt.AddDays(1));
        Assert.Null(rotation.ReadLastRotationMessage(_protector));
    }

    [Fact]
    public void Turning_auto_rotation_off_clears_next_rotation()
    {
        var rotation = Rotation.Create(RotationRulesTests.ValidSettings(), Created);
        rotation.RecordSuccess(Guid.NewGuid(), true, _calculator, Created);

        rotation.SetAutoRotation(false, _calculator, Created);
        Assert.Null(rotation.NextRotationAt);

        rotation.SetAutoRotation(true, _calculator, Created);
        Assert.NotNull(rotation.NextRotationAt);
    }

    [Fact]
    public void Update_recomputes_the_schedule_and_invalid_updates_change_nothing()
    {
        var rotation = Rotation.Create(RotationRulesTests.ValidSettings(), Created);
        rotation.RecordSuccess(Guid.NewGuid(), false, _calculator, Created);

        rotation.Update(new RotationChanges { RotationInterval = 7, RotateAtUtc = new RotateAtUtc(6, 30) }, _calculator, Created);
        Assert.Equal(new DateTimeOffset(2025, 1, 17, 6, 30, 0, TimeSpan.Zero), rotation.NextRotationAt);

        var before = (rotation.Name, rotation.RotationInterval, rotation.NextRotationAt, rotation.UpdatedAt);
        var ex = Assert.Throws<DomainValidationException>(() =>
            rotation.Update(new RotationChanges { Name = "NOPE", RotationInterval = 400 }, _calculator, Created.AddDays(1)));
        Assert.Equal(["name", "rotationInterval"], ex.Errors.Keys.Order());
        Assert.Equal(before, (rotation.Name, rotation.RotationInterval, rotation.NextRotationAt, rotation.UpdatedAt));
        Assert.True(rotation.ValidateChanges(new RotationChanges { Description = "fine" }).IsEmpty);
    }

    [Fact]
    public void Generated_credentials_are_stored_encrypted_in_two_slots()
    {
        var rotation = Rotation.Create(RotationRulesTests.ValidSettings(), Created);
        GeneratedCredential[] slots = [new("client", "secret-zero"), new("client", "secret-one")];

        rotation.StoreGeneratedCredentials(slots, activeIndex: 1, _protector, Created);

        Assert.Equal(1, rotation.ActiveIndex);
        Assert.Equal(0, rotation.InactiveIndex);
        Assert.Equal(slots, rotation.ReadGeneratedCredentials(_protector));
        Assert.DoesNotContain("secret-one", System.Text.Encoding.UTF8.GetString(rotation.EncryptedGeneratedCredentials!), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-one", slots[1].ToString(), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => rotation.StoreGeneratedCredentials([.. slots, slots[0]], 0, _protector, Created));
        Assert.Throws<ArgumentOutOfRangeException>(() => rotation.StoreGeneratedCredentials([slots[0]], 1, _protector, Created));
    }

    [Fact]
    public void Lease_allows_one_holder_until_it_expires_or_is_released()
    {
        var rotation = Rotation.Create(RotationRulesTests.ValidSettings(), Created);

        Assert.True(rotation.TryAcquireLease("node-a", TimeSpan.FromMinutes(5), Created));
        Assert.False(rotation.TryAcquireLease("node-b", TimeSpan.FromMinutes(5), Created.AddMinutes(1)));
        Assert.True(rotation.TryAcquireLease("node-a", TimeSpan.FromMinutes(5), Created.AddMinutes(1)));
        Assert.True(rotation.TryAcquireLease("node-b", TimeSpan.FromMinutes(5), Created.AddMinutes(7)));

        rotation.ReleaseLease("node-a");
        Assert.Equal("node-b", rotation.LeaseHolder);
        rotation.ReleaseLease("node-b");
        Assert.False(rotation.IsLeased(Created.AddMinutes(8)));
    }
}
