using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Secrets;

namespace RotationDashboard.Web.Data.Configurations;

internal sealed class SecretConfiguration : IEntityTypeConfiguration<Secret>
{
    public void Configure(EntityTypeBuilder<Secret> builder)
    {
        builder.ToTable("secrets");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Key).HasMaxLength(SecretKey.MaxLength);
        builder.Property(s => s.RowVersion).IsConcurrencyToken();
        builder.Ignore(s => s.IsOwnedByRotation);
        builder.Ignore(s => s.CurrentVersion);
        builder.Ignore(s => s.NextVersion);
        builder.Ignore(s => s.PreviousVersion);

        builder.HasOne<Folder>().WithMany().HasForeignKey(s => s.FolderId).OnDelete(DeleteBehavior.Restrict);

        // Deleting a rotation without deleting its secrets hands them back to manual editing.
        builder.HasOne<Rotation>().WithMany().HasForeignKey(s => s.OwnerRotationId).OnDelete(DeleteBehavior.SetNull);

        builder.HasMany(s => s.Versions).WithOne().HasForeignKey(v => v.SecretId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(s => s.Versions).UsePropertyAccessMode(PropertyAccessMode.Field);

        builder.HasIndex(s => new { s.FolderId, s.Key }).IsUnique();
        builder.HasIndex(s => s.OwnerRotationId);
    }
}

internal sealed class SecretVersionConfiguration : IEntityTypeConfiguration<SecretVersion>
{
    public void Configure(EntityTypeBuilder<SecretVersion> builder)
    {
        builder.ToTable("secret_versions");
        builder.HasKey(v => v.Id);
        builder.Property(v => v.Id).ValueGeneratedNever();
        builder.Property(v => v.WrittenBy).HasMaxLength(300);
        builder.HasIndex(v => new { v.SecretId, v.Version }).IsUnique();
        builder.HasIndex(v => new { v.SecretId, v.Stage });
    }
}
