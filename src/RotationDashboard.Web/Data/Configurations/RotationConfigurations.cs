using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RotationDashboard.Core.Connections;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;

namespace RotationDashboard.Web.Data.Configurations;

internal sealed class RotationConfiguration : IEntityTypeConfiguration<Rotation>
{
    public void Configure(EntityTypeBuilder<Rotation> builder)
    {
        builder.ToTable("rotations");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.Name).HasMaxLength(RotationRules.MaxNameLength);
        builder.Property(r => r.Description).HasMaxLength(RotationRules.MaxDescriptionLength);
        builder.Property(r => r.LeaseHolder).HasMaxLength(Rotation.MaxLeaseHolderLength);
        builder.Property(r => r.RowVersion).IsConcurrencyToken();
        builder.Ignore(r => r.InactiveIndex);
        builder.Ignore(r => r.ScheduleState);
        builder.Ignore(r => r.RecordedChanges);
        // Added by 0003 to existing rows, hence the column default.
        builder.Property(r => r.UseSelfSignedCertificate).HasDefaultValue(false);
        builder.Property(r => r.ApplicationName).HasMaxLength(RotationRules.MaxApplicationNameLength);
        // Added by 0004 to existing rows, hence the column default.
        builder.Property(r => r.NeedsAttention).HasDefaultValue(false);
        // Added by 0010 to existing rows, hence the column default.
        builder.Property(r => r.ConsecutiveFailures).HasDefaultValue(0);
        builder.Ignore(r => r.IsPaused);

        builder.ComplexProperty(r => r.Parameters, parameters =>
        {
            parameters.IsRequired();
            parameters.Property(p => p.ClientId).HasMaxLength(RotationRules.MaxClientIdLength);
        });
        builder.ComplexProperty(r => r.SecretsMapping, mapping =>
        {
            mapping.IsRequired();
            mapping.Property(m => m.ClientId).HasMaxLength(128);
            mapping.Property(m => m.ClientSecret).HasMaxLength(128);
            mapping.Property(m => m.PrivateKey).HasMaxLength(128);
            mapping.Property(m => m.KeyId).HasMaxLength(128);
            mapping.Property(m => m.ClientSecretNext).HasMaxLength(128);
            mapping.Property(m => m.PrivateKeyNext).HasMaxLength(128);
            mapping.Property(m => m.KeyIdNext).HasMaxLength(128);
        });
        builder.ComplexProperty(r => r.RotateAtUtc, rotateAt =>
        {
            rotateAt.IsRequired();
            rotateAt.Ignore(t => t.TimeOfDay);
            rotateAt.Ignore(t => t.IsValid);
        });

        builder.HasOne<Connection>().WithMany().HasForeignKey(r => r.ConnectionId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<ProjectEnvironment>().WithMany().HasForeignKey(r => r.EnvironmentId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Folder>().WithMany().HasForeignKey(r => r.FolderId).OnDelete(DeleteBehavior.Restrict);

        builder.HasIndex(r => new { r.FolderId, r.Name }).IsUnique();
        builder.HasIndex(r => r.NextRotationAt);
        builder.HasIndex(r => r.ConnectionId);
        builder.HasIndex(r => r.ProjectId);
        builder.HasIndex(r => r.EnvironmentId);

        // The dashboard list sorts by name and filters by status; both stay index-friendly at 10,000 rotations.
        builder.HasIndex(r => r.Name);
        builder.HasIndex(r => r.RotationStatus);
    }
}

internal sealed class RotationRunConfiguration : IEntityTypeConfiguration<RotationRun>
{
    public void Configure(EntityTypeBuilder<RotationRun> builder)
    {
        builder.ToTable("rotation_runs");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.ActorName).HasMaxLength(256);
        builder.Property(r => r.Message).HasMaxLength(RotationRun.MaxMessageLength);
        builder.Property(r => r.Checkpoint).HasMaxLength(RotationRun.MaxCheckpointLength);
        builder.Ignore(r => r.IsFinished);
        builder.Ignore(r => r.IsManual);
        builder.Ignore(r => r.NextStep);

        builder.HasOne<Rotation>().WithMany().HasForeignKey(r => r.RotationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(r => r.Steps).WithOne().HasForeignKey(s => s.RunId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(r => r.Steps).UsePropertyAccessMode(PropertyAccessMode.Field);

        builder.HasIndex(r => new { r.RotationId, r.StartedAt });
        builder.HasIndex(r => r.Status);
        builder.HasIndex(r => new { r.StartedAt, r.Status }); // the dashboard's runs per day

        // At most one unfinished run per rotation, whatever the lease says.
        builder.HasIndex(r => r.RotationId).IsUnique().HasFilter("\"status\" = 'Running'");
    }
}

internal sealed class RunStepConfiguration : IEntityTypeConfiguration<RunStep>
{
    public void Configure(EntityTypeBuilder<RunStep> builder)
    {
        builder.ToTable("rotation_run_steps");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Message).HasMaxLength(RunStep.MaxMessageLength);
        builder.Ignore(s => s.IsFinished);
        builder.HasIndex(s => new { s.RunId, s.Order }).IsUnique();
    }
}
