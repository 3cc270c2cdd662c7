using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Connections;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Core.Security;

namespace RotationDashboard.Web.Data;

/// <summary>
/// The dashboard's database (SQLite). The schema comes from the versioned scripts in Data/Migrations
/// (<see cref="DatabaseMigrator"/>), which a test keeps identical to this model. Conventions: snake_case names,
/// timestamps as UTC ticks, durations as seconds, enums as strings, <c>row_version</c> concurrency tokens
/// incremented on every save of a modified row.
/// </summary>
public sealed class RotationDashboardDbContext(DbContextOptions<RotationDashboardDbContext> options) : DbContext(options)
{
    public const string RowVersionProperty = "RowVersion";

    public DbSet<Project> Projects => Set<Project>();

    public DbSet<ProjectEnvironment> Environments => Set<ProjectEnvironment>();

    public DbSet<Folder> Folders => Set<Folder>();

    public DbSet<Secret> Secrets => Set<Secret>();

    public DbSet<SecretVersion> SecretVersions => Set<SecretVersion>();

    public DbSet<Connection> Connections => Set<Connection>();

    public DbSet<Rotation> Rotations => Set<Rotation>();

    public DbSet<RotationRun> RotationRuns => Set<RotationRun>();

    public DbSet<RunStep> RunSteps => Set<RunStep>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    public DbSet<MachineIdentity> MachineIdentities => Set<MachineIdentity>();

    public DbSet<MachineIdentityClientSecret> MachineIdentityClientSecrets => Set<MachineIdentityClientSecret>();

    public DbSet<MachineIdentityAccessToken> MachineIdentityAccessTokens => Set<MachineIdentityAccessToken>();

    public DbSet<Security.Sessions.UserSession> UserSessions => Set<Security.Sessions.UserSession>();

    public DbSet<Application.Preferences.UserPreference> UserPreferences => Set<Application.Preferences.UserPreference>();

    public DbSet<Notifications.NotificationChannel> NotificationChannels => Set<Notifications.NotificationChannel>();

    public DbSet<Notifications.NotificationSubscription> NotificationSubscriptions => Set<Notifications.NotificationSubscription>();

    public DbSet<Notifications.NotificationOutboxEvent> NotificationEvents => Set<Notifications.NotificationOutboxEvent>();

    public DbSet<Notifications.NotificationDelivery> NotificationDeliveries => Set<Notifications.NotificationDelivery>();

    public DbSet<Notifications.NotificationSourceState> NotificationSourceStates => Set<Notifications.NotificationSourceState>();

    /// <summary>
    /// PostgreSQL: takes the start-up advisory lock for the current transaction (first-start seeding runs once when
    /// several instances start together). SQLite needs none: its transactions start IMMEDIATE.
    /// </summary>
    public async Task TakeStartupLockAsync(CancellationToken cancellationToken)
    {
        if (Database.IsNpgsql())
        {
            await Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock({0});", [DatabaseMigrator.AdvisoryLockKey], cancellationToken);
        }
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        IncrementRowVersions();
        try
        {
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }
        catch (DbUpdateException ex) when (IsSecretVersionNumberClash(ex))
        {
            throw SecretVersionConflict(ex);
        }
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        IncrementRowVersions();
        try
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        catch (DbUpdateException ex) when (IsSecretVersionNumberClash(ex))
        {
            throw SecretVersionConflict(ex);
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<TimeSpan>().HaveConversion<WholeSecondsConverter>();
        configurationBuilder.Properties<RotationType>().HaveConversion<RotationTypeConverter>().HaveMaxLength(32);
        configurationBuilder.Properties<RotationStatus>().HaveConversion<RotationStatusConverter>().HaveMaxLength(16);
        configurationBuilder.Properties<RotationStrategy>().HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<SecretStage>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<RunTrigger>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<RunStatus>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<RunStepName>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<RunStepStatus>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<ActorType>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<AuditOutcome>().HaveConversion<string>().HaveMaxLength(16);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(
            typeof(RotationDashboardDbContext).Assembly,
            type => type.Namespace == typeof(Configurations.ProjectConfiguration).Namespace);
        SnakeCaseNaming.Apply(modelBuilder.Model);
    }

    /// <summary>
    /// EF may insert a new secret version before it updates the secret's row, so two writers racing on one
    /// secret can collide on the unique (secret_id, version) index before the row-version check runs. Both
    /// mean the same thing, a lost optimistic-concurrency race, and callers should see it as one.
    /// </summary>
    private static bool IsSecretVersionNumberClash(DbUpdateException exception) =>
        exception is not DbUpdateConcurrencyException
        && exception.IsUniqueViolationOf("ux_secret_versions_secret_id_version", "secret_versions.secret_id, secret_versions.version");

    private static DbUpdateConcurrencyException SecretVersionConflict(DbUpdateException exception) =>
        new("The secret was changed by another writer (its next version number is already taken).", exception);

    /// <summary>
    /// Optimistic concurrency: a modified row's token goes from its original value to original + 1, and the
    /// UPDATE's WHERE clause checks the original; a lost race raises <see cref="DbUpdateConcurrencyException"/>.
    /// </summary>
    private void IncrementRowVersions()
    {
        // A secret and its versions are one aggregate: a version change is a change of the secret, even
        // when none of the secret's own columns changed (e.g. a promotion within the same clock tick).
        var changedSecrets = ChangeTracker.Entries<SecretVersion>()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .Select(e => e.Entity.SecretId)
            .ToHashSet();
        foreach (var secret in ChangeTracker.Entries<Secret>())
        {
            if (secret.State == EntityState.Unchanged && changedSecrets.Contains(secret.Entity.Id))
            {
                secret.Property(RowVersionProperty).IsModified = true;
            }
        }

        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State != EntityState.Modified)
            {
                continue;
            }

            var property = entry.Metadata.FindProperty(RowVersionProperty);
            if (property is { IsConcurrencyToken: true })
            {
                var token = entry.Property(RowVersionProperty);
                token.CurrentValue = (long)token.OriginalValue! + 1;
            }
        }
    }
}
