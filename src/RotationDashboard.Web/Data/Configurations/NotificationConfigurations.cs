using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RotationDashboard.Web.Notifications;

namespace RotationDashboard.Web.Data.Configurations;

internal sealed class NotificationChannelConfiguration : IEntityTypeConfiguration<NotificationChannel>
{
    public void Configure(EntityTypeBuilder<NotificationChannel> builder)
    {
        builder.ToTable("notification_channels");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.Name).HasMaxLength(128);
        builder.Property(c => c.Kind).HasMaxLength(16);
        builder.HasMany(c => c.Subscriptions).WithOne().HasForeignKey(s => s.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class NotificationSubscriptionConfiguration : IEntityTypeConfiguration<NotificationSubscription>
{
    public void Configure(EntityTypeBuilder<NotificationSubscription> builder)
    {
        builder.ToTable("notification_subscriptions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.EventType).HasMaxLength(64);
        builder.Property(s => s.Environment).HasMaxLength(64);
    }
}

internal sealed class NotificationOutboxEventConfiguration : IEntityTypeConfiguration<NotificationOutboxEvent>
{
    public void Configure(EntityTypeBuilder<NotificationOutboxEvent> builder)
    {
        builder.ToTable("notification_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.OccurrenceKey).HasMaxLength(200);
        builder.Property(e => e.Type).HasMaxLength(64);
        builder.HasIndex(e => e.OccurrenceKey).IsUnique();
        builder.HasIndex(e => e.RotationId);
    }
}

internal sealed class NotificationDeliveryConfiguration : IEntityTypeConfiguration<NotificationDelivery>
{
    public void Configure(EntityTypeBuilder<NotificationDelivery> builder)
    {
        builder.ToTable("notification_deliveries");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Id).ValueGeneratedNever();
        builder.Property(d => d.Status).HasMaxLength(16);
        builder.Property(d => d.LastError).HasMaxLength(500);
        builder.HasOne(d => d.Event).WithMany().HasForeignKey(d => d.EventId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(d => d.Channel).WithMany().HasForeignKey(d => d.ChannelId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(d => new { d.EventId, d.ChannelId }).IsUnique();
        builder.HasIndex(d => d.ChannelId);
        builder.HasIndex(d => new { d.Status, d.NextAttemptAt });
    }
}

internal sealed class NotificationSourceStateConfiguration : IEntityTypeConfiguration<NotificationSourceState>
{
    public void Configure(EntityTypeBuilder<NotificationSourceState> builder)
    {
        builder.ToTable("notification_source_state");
        builder.HasKey(s => s.Key);
        builder.Property(s => s.Key).HasMaxLength(200);
    }
}
