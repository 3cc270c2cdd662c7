using RotationDashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Tests.Rotations;

/// <summary>A credential has one owner: one rotation per Auth0 application and tenant, whichever connection points at it.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public class ApplicationOwnershipTests
{
    [Theory]
    [InlineData(RotationStrategy.Staged, SandboxSeed.PaymentsWorkerClientId)]
    [InlineData(RotationStrategy.PrivateKeyJwt, SandboxSeed.LedgerSyncClientId)]
    public async Task A_second_rotation_of_the_same_application_is_refused_naming_the_rotation_that_owns_it(RotationStrategy strategy, string clientId)
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var owner = await host.CreateAsync(await host.RequestAsync("owner", clientId, strategy));
        var mappedCredential = owner.SecretsMapping.PrivateKey ?? owner.SecretsMapping.ClientSecret!;
        var ownerCredential = (await host.RotationSecrets.ReadCurrentAsync(owner.FolderId, mappedCredential))!.Value;

        // Another connection to the same tenant (the same sandbox, through the same M2M application).
        var otherConnection = await host.SandboxConnectionAsync("sandbox-again");
        var second = await host.CreateRotation.ExecuteAsync(await host.RequestAsync("intruder", clientId, strategy, otherConnection), EngineTestHost.Admin);

        Assert.False(second.Succeeded);
        Assert.Equal(OperationFailureKind.Validation, second.Failure!.Kind);
        var message = Assert.Single(second.Failure.Errors["parameters.clientId"]);
        Assert.Contains("already rotated by rotation \"owner\"", message, StringComparison.Ordinal);
        Assert.Contains(clientId, message, StringComparison.Ordinal);
        Assert.Null(await host.Rotations.GetByNameAsync(owner.ProjectId, "dev", "/", "intruder"));
        Assert.Equal(ownerCredential, (await host.RotationSecrets.ReadCurrentAsync(owner.FolderId, mappedCredential))!.Value);
        await host.AssertConsumerAuthenticatesAsync(owner);

        // An update that moves another rotation onto the owned application is refused the same way.
        var other = await host.CreateAsync(await host.RequestAsync("other", SandboxSeed.BillingServiceClientId, RotationStrategy.Staged, otherConnection));
        var moved = await host.UpdateRotation.ExecuteAsync(other.Id, new RotationChanges { Parameters = new RotationParameters(clientId) }, EngineTestHost.Admin);
        Assert.False(moved.Succeeded);
        Assert.Contains("already rotated by rotation \"owner\"", moved.Failure!.Errors["parameters.clientId"][0], StringComparison.Ordinal);

        // The picker shows who rotates what (the owners it is given, per application of the connection's tenant).
        var owners = await host.Services.GetRequiredService<ApplicationOwnership>().FindOwnersAsync(otherConnection);
        Assert.Equal("owner", owners[clientId].RotationName);
        Assert.Equal(owner.Id, owners[clientId].RotationId);
        Assert.Equal("other", owners[SandboxSeed.BillingServiceClientId].RotationName);
        Assert.False(owners.ContainsKey(SandboxSeed.ReportingJobClientId));
    }
}
