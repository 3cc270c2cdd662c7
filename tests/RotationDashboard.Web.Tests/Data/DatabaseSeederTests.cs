using RotationDashboard.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using RotationDashboard.Core.Projects;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Tests.Data;

[Trait(TestKind.Trait, TestKind.Unit)]
public class DatabaseSeederTests
{
    [Fact]
    public async Task First_start_creates_the_default_project_with_three_environments_and_root_folders()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var db = database.CreateContext();

        var project = await db.Projects.SingleAsync();
        Assert.Equal(("Default project", "default"), (project.Name, project.Slug));
        var environments = await db.Environments.OrderBy(e => e.Position).ToListAsync();
        Assert.Equal(["dev", "staging", "prod"], environments.Select(e => e.Slug));
        Assert.Equal(["Development", "Staging", "Production"], environments.Select(e => e.Name));
        var folders = await db.Folders.ToListAsync();
        Assert.Equal(3, folders.Count);
        Assert.All(folders, f => Assert.Equal("/", f.Path));
        Assert.Equal(environments.Select(e => e.Id).Order(), folders.Select(f => f.EnvironmentId).Order());
    }

    [Fact]
    public async Task Seeding_again_changes_nothing_and_fills_missing_root_folders()
    {
        await using var database = await TestDatabase.CreateAsync();
        var seeder = new DatabaseSeeder(database.ContextFactory, database.Clock, NullLogger<DatabaseSeeder>.Instance);
        var project = await database.DefaultProjectAsync();
        await using (var db = database.CreateContext())
        {
            db.Environments.Add(ProjectEnvironment.Create(project.Id, "qa", "QA", 3));
            await db.SaveChangesAsync();
        }

        await seeder.SeedAsync();
        await seeder.SeedAsync();

        await using var check = database.CreateContext();
        Assert.Equal(1, await check.Projects.CountAsync());
        Assert.Equal(4, await check.Environments.CountAsync());
        Assert.Equal(4, await check.Folders.CountAsync(f => f.Path == "/"));
    }
}
