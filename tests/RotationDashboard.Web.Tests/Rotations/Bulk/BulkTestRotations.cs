using RotationDashboard.Core.Rotations;
using RotationDashboard.Web.Application.Rotations;
using RotationDashboard.Web.Application.Rotations.Bulk;
using RotationDashboard.Web.Services.Rotations;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Rotations.Bulk;

/// <summary>Rotations of fresh sandbox applications for the bulk tests, created through the real use case (first issuance included).</summary>
internal static class BulkTestRotations
{
    public static async Task<(Guid RotationId, string ClientId)> CreateAsync(
        DashboardAppFactory app, string name, RotationStrategy strategy = RotationStrategy.SinglePhase, string path = "/")
    {
        var isKey = strategy == RotationStrategy.PrivateKeyJwt;
        var clientId = app.NewApplication(name, isKey ? Sandbox.SandboxAuthMethod.PrivateKeyJwt : Sandbox.SandboxAuthMethod.ClientSecretPost);
        var prefix = name.ToUpperInvariant().Replace('-', '_');
        var created = await app.Get<CreateRotation>().ExecuteAsync(new CreateRotationRequest
        {
            Settings = new RotationSettings
            {
                Name = name,
                Type = isKey ? RotationType.Auth0PrivateKeyJwt : RotationType.Auth0ClientSecret,
                Strategy = strategy,
                ConnectionId = await app.SandboxConnectionIdAsync(),
                ProjectId = await app.DefaultProjectIdAsync(),
                IsAutoRotationEnabled = false,
                RotationInterval = 30,
                Parameters = new RotationParameters(clientId),
                SecretsMapping = isKey
                    ? new SecretsMapping($"{prefix}_CLIENT_ID", PrivateKey: $"{prefix}_PRIVATE_KEY", KeyId: $"{prefix}_KEY_ID")
                    : new SecretsMapping($"{prefix}_CLIENT_ID", ClientSecret: $"{prefix}_CLIENT_SECRET"),
                StagedLeadTime = TimeSpan.Zero,
                RetireGracePeriod = TimeSpan.Zero,
            },
            Environment = "dev",
            SecretPath = path,
        }, DashboardAppFactory.Admin);
        Assert.True(created.Succeeded, created.Failure?.Message);
        Assert.True(created.Value.RotationStatus == "success", created.Value.LastRotationMessage);
        return (created.Value.Id, clientId);
    }

    /// <summary>Waits for the operation to end (bounded) and reads its summary back from the database.</summary>
    public static async Task<BulkOperationView> WaitAsync(DashboardAppFactory app, Guid operationId, TimeSpan? limit = null)
    {
        await app.Get<BulkOperationRunner>().WhenFinished(operationId).WaitAsync(limit ?? TimeSpan.FromSeconds(90));
        var view = await app.Get<GetBulkOperation>().ExecuteAsync(operationId);
        Assert.NotNull(view);
        return view;
    }
}
