using RotationDashboard.Sandbox;
using RotationDashboard.Testing;
using RotationDashboard.Web.Application.Notifications;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Notifications;

/// <summary>The notification rotation picker's search, over the real database with rotations created through the use case.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class FindRotationsTests(NotificationsAppFactory app) : IClassFixture<NotificationsAppFactory>
{
    [Fact]
    public async Task Search_matches_any_part_of_the_name_regardless_of_case_within_the_project_by_name_and_at_most_take()
    {
        var sender = await CreateAsync("find-invoice-sender");
        var archiver = await CreateAsync("find-invoice-archiver");
        await CreateAsync("find-payments");
        var project = await app.DefaultProjectIdAsync();
        var find = app.Get<IFindRotations>();

        var found = await find.SearchAsync(project, "  INVOICE ", take: 10);
        var first = await find.SearchAsync(project, "find-invoice", take: 1);
        var elsewhere = await find.SearchAsync(Guid.NewGuid(), "invoice", take: 10);

        Assert.Equal([archiver.Name, sender.Name], found.Select(r => r.Name));
        Assert.All(found, r => Assert.Equal("dev", r.EnvironmentSlug));
        Assert.Equal([archiver.Id], first.Select(r => r.Id));
        Assert.Empty(elsewhere);
    }

    [Fact]
    public async Task Ids_are_named_and_ids_of_rotations_that_no_longer_exist_are_left_out()
    {
        var rotation = await CreateAsync("find-named");

        var named = await app.Get<IFindRotations>().GetAsync([rotation.Id, Guid.NewGuid()]);

        Assert.Equal(("find-named", "dev"), (Assert.Single(named).Name, named[0].EnvironmentSlug));
    }

    private async Task<RotationDashboard.Web.Services.Rotations.RotationView> CreateAsync(string name)
    {
        var client = app.Sandbox.CreateClient(name, SandboxAppType.NonInteractive, SandboxAuthMethod.ClientSecretPost);
        return await app.CreateRotationAsync(name, client.ClientId, autoRotation: false);
    }
}
