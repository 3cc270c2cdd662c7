using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Projects;

namespace RotationDashboard.Web.Data;

/// <summary>
/// First-start data, idempotent: the default project (<c>default</c>, with dev/staging/prod) when there is no
/// project at all, and a root folder <c>/</c> in every environment that lacks one.
/// </summary>
public sealed partial class DatabaseSeeder(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    TimeProvider timeProvider,
    ILogger<DatabaseSeeder> logger)
{
    public async Task SeedAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();
        // SQLite transactions start IMMEDIATE here, and on PostgreSQL the transaction takes the start-up advisory lock: a
        // second instance starting at the same time waits, then finds the data.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.TakeStartupLockAsync(cancellationToken);

        if (!await db.Projects.AnyAsync(cancellationToken))
        {
            var project = Project.Create(Project.DefaultName, Project.DefaultSlug, now);
            db.Projects.Add(project);
            db.Environments.AddRange(ProjectEnvironment.CreateDefaults(project.Id));
            await db.SaveChangesAsync(cancellationToken);
            LogCreatedDefaultProject(logger, project.Slug);
        }

        var environmentsWithoutRoot = await db.Environments
            .Where(e => !db.Folders.Any(f => f.EnvironmentId == e.Id && f.Path == FolderPath.Root))
            .Select(e => e.Id)
            .ToListAsync(cancellationToken);
        if (environmentsWithoutRoot.Count > 0)
        {
            db.Folders.AddRange(environmentsWithoutRoot.Select(id => Folder.CreateRoot(id, now)));
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the default project '{Slug}' with environments dev, staging and prod")]
    private static partial void LogCreatedDefaultProject(ILogger logger, string slug);
}
