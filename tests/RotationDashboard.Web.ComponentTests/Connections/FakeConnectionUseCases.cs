using RotationDashboard.Auth0;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Web.Application.Connections;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.ComponentTests.Connections;

/// <summary>
/// The connection use cases as the pages see them, answering from a list in memory; each call is recorded, and the
/// answers of test, save and delete can be set per test.
/// </summary>
public sealed class FakeConnectionUseCases
    : IConnectionReads, IValidateConnection, IDeleteConnection, ITestConnectionDraft, ICreateConnection, IUpdateConnection
{
    public List<ConnectionView> Connections { get; } = [];

    /// <summary>When set, listing waits for it (the loading state) or fails with its exception (the error state).</summary>
    public TaskCompletionSource? ListGate { get; set; }

    public List<string> Calls { get; } = [];

    public List<ConnectionInput> Drafts { get; } = [];

    public ConnectionPatch? LastPatch { get; private set; }

    public DashboardUser? LastUser { get; private set; }

    public Func<Guid, OperationResult<ConnectionTestResult>> Validate { get; set; } = _ => OperationResult.Success(Result(ok: true));

    public Func<Guid, OperationResult<ConnectionView>>? Delete { get; set; }

    public Func<ConnectionInput, OperationResult<ConnectionTestResult>> TestDraft { get; set; } = _ => OperationResult.Success(Result(ok: true));

    public Func<ConnectionInput, OperationResult<ConnectionView>> Save { get; set; } = input => OperationResult.Success(View(input.Name ?? "saved"));

    public static ConnectionView View(
        string name,
        bool? lastOk = null,
        int rotations = 0,
        bool sandbox = false,
        string? message = null,
        IReadOnlyDictionary<RotationType, IReadOnlyList<string>>? missing = null,
        DateTimeOffset? testedAt = null) =>
        new(Guid.NewGuid(), name, "client_credentials", sandbox ? "http://127.0.0.1:5080/sandbox-tenant" : $"{name}.eu.auth0.com",
            $"client-{name}", $"https://{name}.eu.auth0.com/api/v2/", sandbox, testedAt ?? (lastOk is null ? null : DateTimeOffset.UtcNow.AddMinutes(-5)),
            lastOk, message, ["read:clients"], missing ?? NoneMissing, rotations, DateTimeOffset.UtcNow.AddDays(-3), DateTimeOffset.UtcNow.AddDays(-1));

    public static readonly IReadOnlyDictionary<RotationType, IReadOnlyList<string>> NoneMissing =
        new Dictionary<RotationType, IReadOnlyList<string>> { [RotationType.Auth0ClientSecret] = [], [RotationType.Auth0PrivateKeyJwt] = [] };

    public static readonly IReadOnlyDictionary<RotationType, IReadOnlyList<string>> JwtScopesMissing =
        new Dictionary<RotationType, IReadOnlyList<string>>
        {
            [RotationType.Auth0ClientSecret] = [],
            [RotationType.Auth0PrivateKeyJwt] = ["create:client_credentials", "update:client_credentials"],
        };

    public static ConnectionTestResult Result(bool ok, string? message = null, IReadOnlyDictionary<RotationType, IReadOnlyList<string>>? missing = null) =>
        new(ok, ok ? TokenCheckOutcome.Valid : TokenCheckOutcome.InvalidCredential, message ?? (ok ? "Connected." : "Auth0 rejected the client ID or secret (401)."),
            ok ? ["read:clients", "update:client_keys"] : [], missing ?? NoneMissing, DateTimeOffset.UtcNow);

    public async Task<IReadOnlyList<ConnectionView>> ListAsync(CancellationToken cancellationToken = default)
    {
        Calls.Add("list");
        if (ListGate is { } gate)
        {
            await gate.Task;
        }

        return Connections.ToList();
    }

    public Task<ConnectionView?> GetAsync(Guid connectionId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Connections.FirstOrDefault(c => c.Id == connectionId));

    Task<OperationResult<ConnectionTestResult>> IValidateConnection.ExecuteAsync(Guid connectionId, DashboardUser user, CancellationToken cancellationToken)
    {
        Calls.Add($"validate {connectionId}");
        LastUser = user;
        return Task.FromResult(Validate(connectionId));
    }

    Task<OperationResult<ConnectionView>> IDeleteConnection.ExecuteAsync(Guid connectionId, DashboardUser user, CancellationToken cancellationToken)
    {
        Calls.Add($"delete {connectionId}");
        if (Delete is { } delete)
        {
            return Task.FromResult(delete(connectionId));
        }

        var connection = Connections.Single(c => c.Id == connectionId);
        Connections.Remove(connection);
        return Task.FromResult(OperationResult.Success(connection));
    }

    Task<OperationResult<ConnectionTestResult>> ITestConnectionDraft.ExecuteAsync(
        ConnectionInput draft, Guid? existingId, DashboardUser user, CancellationToken cancellationToken)
    {
        Calls.Add("test draft");
        Drafts.Add(draft);
        return Task.FromResult(TestDraft(draft));
    }

    Task<OperationResult<ConnectionView>> ICreateConnection.ExecuteAsync(ConnectionInput input, DashboardUser user, CancellationToken cancellationToken)
    {
        Calls.Add("create");
        Drafts.Add(input);
        return Task.FromResult(Save(input));
    }

    Task<OperationResult<ConnectionView>> IUpdateConnection.ExecuteAsync(
        Guid connectionId, ConnectionPatch patch, DashboardUser user, CancellationToken cancellationToken)
    {
        Calls.Add($"update {connectionId}");
        LastPatch = patch;
        return Task.FromResult(Save(new ConnectionInput(patch.Name, patch.Domain, patch.ClientId, patch.ClientSecret, patch.Audience, patch.IsSandbox)));
    }
}
