using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Security;

namespace RotationDashboard.Web.Data.Configurations;

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.ToTable("audit_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedOnAdd();
        builder.Property(e => e.ActorName).HasMaxLength(256);
        builder.Property(e => e.Action).HasMaxLength(AuditEvent.MaxActionLength);
        builder.Property(e => e.TargetType).HasMaxLength(32);
        builder.Property(e => e.TargetId).HasMaxLength(64);
        builder.Property(e => e.TargetName).HasMaxLength(AuditEvent.MaxTargetNameLength);
        builder.Property(e => e.Details).HasMaxLength(AuditEvent.MaxDetailsLength);
        builder.Ignore(e => e.ActorLabel);
        builder.HasIndex(e => e.OccurredAt).IsDescending();
        builder.HasIndex(e => e.TargetId);
    }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> builder)
    {
        builder.ToTable("api_tokens");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).ValueGeneratedNever();
        builder.Property(t => t.Name).HasMaxLength(ApiToken.MaxNameLength);
        builder.Property(t => t.Prefix).HasMaxLength(ApiToken.DisplayPrefixLength);
        builder.Property(t => t.TokenHash).HasMaxLength(64);
        builder.Property(t => t.CreatedBy).HasMaxLength(300);
        builder.Property(t => t.Scopes)
            .HasConversion(new ApiTokenScopesConverter(), ApiTokenScopesConverter.Comparer)
            .HasMaxLength(4000);
        builder.HasIndex(t => t.TokenHash).IsUnique();
    }
}
