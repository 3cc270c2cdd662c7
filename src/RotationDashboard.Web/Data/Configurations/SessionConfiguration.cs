using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RotationDashboard.Web.Security.Sessions;

namespace RotationDashboard.Web.Data.Configurations;

internal sealed class UserSessionConfiguration : IEntityTypeConfiguration<UserSession>
{
    public void Configure(EntityTypeBuilder<UserSession> builder)
    {
        builder.ToTable("user_sessions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever().HasMaxLength(64);
        builder.Property(s => s.Subject).HasMaxLength(256);
        builder.Property(s => s.UserName).HasMaxLength(256);
        builder.HasIndex(s => s.Subject);
    }
}
