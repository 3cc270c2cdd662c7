using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RotationDashboard.Core.Security;

namespace RotationDashboard.Web.Data.Configurations;

internal sealed class MachineIdentityConfiguration : IEntityTypeConfiguration<MachineIdentity>
{
    public void Configure(EntityTypeBuilder<MachineIdentity> builder)
    {
        builder.ToTable("machine_identities");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Id).ValueGeneratedNever();
        builder.Property(i => i.Name).HasMaxLength(MachineIdentity.MaxNameLength);
        builder.Property(i => i.ClientId).HasMaxLength(36);
        builder.Property(i => i.CreatedBy).HasMaxLength(300);
        builder.Property(i => i.Scopes)
            .HasConversion(new ApiTokenScopesConverter(), ApiTokenScopesConverter.Comparer)
            .HasMaxLength(4000);
        builder.Ignore(i => i.IsActive);
        builder.HasIndex(i => i.ClientId).IsUnique();
    }
}

internal sealed class MachineIdentityClientSecretConfiguration : IEntityTypeConfiguration<MachineIdentityClientSecret>
{
    public void Configure(EntityTypeBuilder<MachineIdentityClientSecret> builder)
    {
        builder.ToTable("machine_identity_client_secrets");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Prefix).HasMaxLength(MachineIdentityClientSecret.DisplayPrefixLength);
        builder.Property(s => s.SecretHash).HasMaxLength(64);
        builder.Property(s => s.Description).HasMaxLength(MachineIdentityClientSecret.MaxDescriptionLength);
        builder.Property(s => s.CreatedBy).HasMaxLength(300);
        builder.HasOne<MachineIdentity>().WithMany().HasForeignKey(s => s.IdentityId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => s.SecretHash).IsUnique();
    }
}

internal sealed class MachineIdentityAccessTokenConfiguration : IEntityTypeConfiguration<MachineIdentityAccessToken>
{
    public void Configure(EntityTypeBuilder<MachineIdentityAccessToken> builder)
    {
        builder.ToTable("machine_identity_access_tokens");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).ValueGeneratedNever();
        builder.Property(t => t.TokenHash).HasMaxLength(64);
        builder.Ignore(t => t.MaxTtlSeconds);
        builder.HasOne<MachineIdentity>().WithMany().HasForeignKey(t => t.IdentityId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.HasIndex(t => t.MaxExpiresAt);
    }
}
