using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RotationDashboard.Web.Application.Preferences;

namespace RotationDashboard.Web.Data.Configurations;

internal sealed class UserPreferenceConfiguration : IEntityTypeConfiguration<UserPreference>
{
    public void Configure(EntityTypeBuilder<UserPreference> builder)
    {
        builder.ToTable("user_preferences");
        builder.HasKey(p => p.Subject);
        builder.Property(p => p.Subject).ValueGeneratedNever().HasMaxLength(256);
    }
}
