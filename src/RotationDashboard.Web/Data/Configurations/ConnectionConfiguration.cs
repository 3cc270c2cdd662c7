using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RotationDashboard.Core.Connections;

namespace RotationDashboard.Web.Data.Configurations;

internal sealed class ConnectionConfiguration : IEntityTypeConfiguration<Connection>
{
    public void Configure(EntityTypeBuilder<Connection> builder)
    {
        builder.ToTable("connections");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.Name).HasMaxLength(64);
        builder.Property(c => c.Method).HasMaxLength(32);
        builder.Property(c => c.Domain).HasMaxLength(512);
        builder.Property(c => c.ClientId).HasMaxLength(Connection.MaxClientIdLength);
        builder.Property(c => c.Audience).HasMaxLength(512);
        builder.Property(c => c.Description).HasMaxLength(Connection.MaxDescriptionLength);
        builder.Property(c => c.LastValidationMessage).HasMaxLength(Connection.MaxValidationMessageLength);
        builder.Property(c => c.GrantedScopes).HasMaxLength(4000);
        builder.Ignore(c => c.BaseUri);
        builder.Ignore(c => c.GrantedScopeList);
        builder.Ignore(c => c.TenantKey);
        builder.HasIndex(c => c.Name).IsUnique();
    }
}
