using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RotationDashboard.Web.Application.Rotations.Bulk;

namespace RotationDashboard.Web.Data.Configurations;

internal sealed class BulkOperationConfiguration : IEntityTypeConfiguration<BulkOperation>
{
    public void Configure(EntityTypeBuilder<BulkOperation> builder)
    {
        builder.ToTable("bulk_operations");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.Id).ValueGeneratedNever();
        builder.Property(o => o.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(o => o.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(o => o.SetDescription).HasMaxLength(500);
        builder.Property(o => o.StartedBy).HasMaxLength(256);
        builder.HasMany(o => o.Items).WithOne().HasForeignKey(i => i.OperationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(o => o.StartedAt);
    }
}

internal sealed class BulkOperationItemConfiguration : IEntityTypeConfiguration<BulkOperationItem>
{
    public void Configure(EntityTypeBuilder<BulkOperationItem> builder)
    {
        builder.ToTable("bulk_operation_items");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Id).ValueGeneratedNever();
        builder.Property(i => i.Name).HasMaxLength(256);
        builder.Property(i => i.ClientId).HasMaxLength(256);
        builder.Property(i => i.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.Message).HasMaxLength(1000);
        builder.HasIndex(i => new { i.OperationId, i.Position }).IsUnique();
    }
}
