using RotationDashboard.Core.Common;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Security.Sessions;
using RotationDashboard.Web.Services.ApiTokens;
using RotationDashboard.Web.Services.MachineIdentities;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.ComponentTests.Settings;

/// <summary>In-memory API tokens; a gate holds the list back to show the loading state.</summary>
internal sealed class FakeApiTokens : IApiTokenAdministration
{
    public List<ApiTokenView> Tokens { get; } = [];

    public Exception? ListFailure { get; set; }

    public TaskCompletionSource? Gate { get; set; }

    public List<(string Name, IReadOnlyList<ApiTokenScope> Scopes, DateTimeOffset? ExpiresAt)> Created { get; } = [];

    public OperationResult<IssuedApiToken>? NextCreateResult { get; set; }

    public async Task<IReadOnlyList<ApiTokenView>> ListAsync(CancellationToken cancellationToken = default)
    {
        if (Gate is not null) await Gate.Task;
        if (ListFailure is not null) throw ListFailure;
        return Tokens.ToList();
    }

    public Task<OperationResult<IssuedApiToken>> CreateAsync(
        string name, IReadOnlyList<ApiTokenScope> scopes, DateTimeOffset? expiresAt, DashboardUser user, CancellationToken cancellationToken = default)
    {
        Created.Add((name, scopes, expiresAt));
        if (NextCreateResult is { } result) return Task.FromResult(result);
        var issued = ApiToken.Issue(name, scopes, user.Actor.ToString(), expiresAt, DateTimeOffset.UtcNow);
        Tokens.Add(View(issued.Token.Name, issued.Token.Id, issued.Token.Prefix));
        return Task.FromResult(OperationResult.Success(issued));
    }

    public Task<OperationResult> RevokeAsync(Guid id, DashboardUser user, CancellationToken cancellationToken = default)
    {
        var index = Tokens.FindIndex(t => t.Id == id);
        Tokens[index] = Tokens[index] with { RevokedAt = DateTimeOffset.UtcNow };
        return Task.FromResult(OperationResult.Success());
    }

    public static ApiTokenView View(string name, Guid? id = null, string prefix = "rdt_abcd") =>
        new(id ?? Guid.NewGuid(), name, prefix, [new ApiTokenScope(ApiPermissions.RotationsRead)], "user:ada", DateTimeOffset.UtcNow.AddDays(-1),
            DateTimeOffset.UtcNow.AddDays(30), null, null);
}

internal sealed class FakeMachineIdentities : IMachineIdentityAdministration
{
    public List<MachineIdentityView> Identities { get; } = [];

    public List<string> Calls { get; } = [];

    public Task<IReadOnlyList<MachineIdentityView>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<MachineIdentityView>>(Identities.ToList());

    public Task<OperationResult<MachineIdentityView>> CreateAsync(
        string name, IReadOnlyList<ApiTokenScope> scopes, int? accessTokenTtlSeconds, int? accessTokenMaxTtlSeconds, DashboardUser user,
        CancellationToken cancellationToken = default)
    {
        Calls.Add($"create {name}");
        var identity = View(name);
        Identities.Add(identity);
        return Task.FromResult(OperationResult.Success(identity));
    }

    public Task<OperationResult> RevokeAsync(Guid id, DashboardUser user, CancellationToken cancellationToken = default)
    {
        Calls.Add($"revoke {id}");
        return Task.FromResult(OperationResult.Success());
    }

    public Task<OperationResult<(IssuedClientSecret Issued, MachineIdentityView Identity)>> CreateClientSecretAsync(
        Guid identityId, string? description, int? ttlSeconds, DashboardUser user, CancellationToken cancellationToken = default)
    {
        Calls.Add($"new secret {identityId}");
        var issued = MachineIdentityClientSecret.Issue(identityId, description, ttlSeconds, "user:ada", DateTimeOffset.UtcNow);
        return Task.FromResult(OperationResult.Success((issued, Identities.Single(i => i.Id == identityId))));
    }

    public Task<OperationResult<ClientSecretView>> RevokeClientSecretAsync(
        Guid identityId, Guid clientSecretId, DashboardUser user, CancellationToken cancellationToken = default)
    {
        Calls.Add($"revoke secret {clientSecretId}");
        var secret = Identities.SelectMany(i => i.ClientSecrets).Single(s => s.Id == clientSecretId);
        return Task.FromResult(OperationResult.Success(secret with { RevokedAt = DateTimeOffset.UtcNow }));
    }

    public static MachineIdentityView View(string name, params string[] secretPrefixes)
    {
        var id = Guid.NewGuid();
        return new MachineIdentityView(id, name, "client-" + name, [new ApiTokenScope(ApiPermissions.SecretsRead)], 7200, 2_592_000, "user:ada",
            DateTimeOffset.UtcNow, null,
            [.. secretPrefixes.Select(p => new ClientSecretView(Guid.NewGuid(), id, p, "", "user:ada", DateTimeOffset.UtcNow, null, null, null))]);
    }
}

internal sealed class FakeSessions : ISessionAdministration
{
    public List<UserSessionView> Sessions { get; } = [];

    public List<string> Revoked { get; } = [];

    public Task<IReadOnlyList<UserSessionView>> ListActiveAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<UserSessionView>>(Sessions.Where(s => !Revoked.Contains(s.Id)).ToList());

    public Task<bool> RevokeAsync(string sessionId, DashboardUser by, CancellationToken cancellationToken = default)
    {
        Revoked.Add(sessionId);
        return Task.FromResult(true);
    }

    public static UserSessionView View(string userName) =>
        new(Guid.NewGuid().ToString("N"), "auth0|" + userName, userName, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(8));
}

internal sealed class FakeProjects : IProjectDirectory
{
    public List<ProjectSummary> Projects { get; } = [];

    public Task<IReadOnlyList<ProjectSummary>> ListProjectsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ProjectSummary>>(Projects.ToList());

    public ProjectSummary Add(string name)
    {
        var project = new ProjectSummary(Guid.NewGuid(), name, name.ToLowerInvariant().Replace(' ', '-'), DateTimeOffset.UtcNow);
        Projects.Add(project);
        return project;
    }
}
