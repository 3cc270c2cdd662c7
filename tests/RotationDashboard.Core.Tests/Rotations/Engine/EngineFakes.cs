using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Scheduling;
using RotationDashboard.Core.Secrets;

namespace RotationDashboard.Core.Tests.Rotations.Engine;

/// <summary>
/// An identity provider with Auth0's rules (one client secret per application; at most 2 attached and 4 stored
/// key credentials; an attached credential cannot be deleted), recording every call, with scripted faults.
/// </summary>
internal sealed class FakeAuthority : ICredentialAuthority, ICredentialAuthorityFactory
{
    private readonly object _gate = new();
    private int _nextId;

    public FakeAuthority(string clientId, string? secret = "original-secret-value-0000000000000000000000000000")
    {
        ClientId = clientId;
        Secret = secret;
    }

    public string ClientId { get; }

    public string? Secret { get; set; }

    public ApplicationAuthMethod AuthMethod { get; set; } = ApplicationAuthMethod.ClientSecretPost;

    public List<FakeKey> Keys { get; } = [];

    public List<string> Attached { get; } = [];

    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Called before every operation with its name; return an exception to fail it.</summary>
    public Func<string, Exception?>? Fault { get; set; }

    /// <summary>Overrides the verdict of a verification (argument: the verification count so far).</summary>
    public Func<int, CredentialCheck?>? VerifyOverride { get; set; }

    public int Verifications { get; private set; }

    public Task<ICredentialAuthority> CreateAsync(Guid connectionId, CancellationToken cancellationToken) =>
        Task.FromResult<ICredentialAuthority>(this);

    public Task<ApplicationCredentials> GetApplicationAsync(string clientId, bool includeCredentials, CancellationToken cancellationToken)
    {
        Enter("get");
        lock (_gate)
        {
            var keys = Keys.Select(k => new PublicKeyCredential(k.Id, k.Kid, k.Name, Attached.Contains(k.Id))).ToList();
            return Task.FromResult(new ApplicationCredentials(clientId, "App", "non_interactive", AuthMethod, includeCredentials ? keys : []));
        }
    }

    public Task SetClientSecretAsync(string clientId, string clientSecret, CancellationToken cancellationToken)
    {
        Enter("set-secret");
        lock (_gate)
        {
            Secret = clientSecret;
        }

        return Task.CompletedTask;
    }

    public Task RevokeClientSecretAsync(string clientId, CancellationToken cancellationToken)
    {
        Enter("revoke");
        lock (_gate)
        {
            Secret = "revoked-" + Guid.NewGuid();
        }

        return Task.CompletedTask;
    }

    public Task<CredentialCheck> VerifyClientSecretAsync(string clientId, string clientSecret, ClientSecretMethod method, CancellationToken cancellationToken)
    {
        Enter("verify");
        var count = ++Verifications;
        if (VerifyOverride?.Invoke(count) is { } forced)
        {
            return Task.FromResult(forced);
        }

        lock (_gate)
        {
            return Task.FromResult(AuthMethod is ApplicationAuthMethod.ClientSecretPost or ApplicationAuthMethod.ClientSecretBasic && clientSecret == Secret
                ? new CredentialCheck(CredentialCheckOutcome.Accepted, "200")
                : new CredentialCheck(CredentialCheckOutcome.Rejected, "401 access_denied: Unauthorized"));
        }
    }

    public Task<PublicKeyCredential> AddPublicKeyCredentialAsync(string clientId, NewPublicKeyCredential credential, CancellationToken cancellationToken)
    {
        Enter("add-key");
        lock (_gate)
        {
            if (Keys.FirstOrDefault(k => k.Kid == credential.KeyId) is { } existing)
            {
                return Task.FromResult(new PublicKeyCredential(existing.Id, existing.Kid, existing.Name, Attached.Contains(existing.Id)));
            }

            if (Keys.Count >= 4)
            {
                throw new CredentialAuthorityException("A client can have a maximum of 4 credentials.", statusCode: 400);
            }

            var key = new FakeKey($"cred_{++_nextId}", credential.KeyId, credential.Name);
            Keys.Add(key);
            return Task.FromResult(new PublicKeyCredential(key.Id, key.Kid, key.Name, false));
        }
    }

    public Task AttachPublicKeyCredentialsAsync(string clientId, IReadOnlyList<string> credentialIds, CancellationToken cancellationToken)
    {
        Enter("attach");
        lock (_gate)
        {
            if (credentialIds.Count is 0 or > 2)
            {
                throw new CredentialAuthorityException($"Array length {credentialIds.Count} not allowed.", statusCode: 400);
            }

            if (credentialIds.Any(id => Keys.All(k => k.Id != id)))
            {
                throw new CredentialAuthorityException("Credential does not belong to this client.", statusCode: 400);
            }

            Attached.Clear();
            Attached.AddRange(credentialIds);
            AuthMethod = ApplicationAuthMethod.PrivateKeyJwt;
        }

        return Task.CompletedTask;
    }

    public Task UseClientSecretAsync(string clientId, ClientSecretMethod method, CancellationToken cancellationToken)
    {
        Enter("use-secret");
        lock (_gate)
        {
            Attached.Clear();
            AuthMethod = method == ClientSecretMethod.ClientSecretBasic ? ApplicationAuthMethod.ClientSecretBasic : ApplicationAuthMethod.ClientSecretPost;
        }

        return Task.CompletedTask;
    }

    public Task<bool> DeleteCredentialAsync(string clientId, string credentialId, CancellationToken cancellationToken)
    {
        Enter("delete-key");
        lock (_gate)
        {
            if (Attached.Contains(credentialId))
            {
                throw new CredentialAuthorityException("Cannot delete credential still associated with a client", statusCode: 400);
            }

            return Task.FromResult(Keys.RemoveAll(k => k.Id == credentialId) > 0);
        }
    }

    public Task<CredentialCheck> VerifyPrivateKeyAsync(string clientId, string privateKeyPem, string? keyId, CancellationToken cancellationToken)
    {
        Enter("verify");
        var count = ++Verifications;
        if (VerifyOverride?.Invoke(count) is { } forced)
        {
            return Task.FromResult(forced);
        }

        lock (_gate)
        {
            var kid = TestKeyPairs.KeyIdOf(privateKeyPem);
            var key = Keys.FirstOrDefault(k => k.Kid == kid);
            return Task.FromResult(AuthMethod == ApplicationAuthMethod.PrivateKeyJwt && key is not null && Attached.Contains(key.Id)
                ? new CredentialCheck(CredentialCheckOutcome.Accepted, "200")
                : new CredentialCheck(CredentialCheckOutcome.Rejected, "401 invalid_client"));
        }
    }

    /// <summary>Whether a consumer holding this key could get a token now.</summary>
    public bool Accepts(string privateKeyPem)
    {
        lock (_gate)
        {
            var kid = TestKeyPairs.KeyIdOf(privateKeyPem);
            return AuthMethod == ApplicationAuthMethod.PrivateKeyJwt && Keys.Any(k => k.Kid == kid && Attached.Contains(k.Id));
        }
    }

    private void Enter(string operation)
    {
        Calls.Enqueue(operation);
        if (Fault?.Invoke(operation) is { } exception)
        {
            throw exception;
        }
    }
}

internal sealed record FakeKey(string Id, string Kid, string Name);

/// <summary>Real RSA keys (a small pool, since generation is slow) with a SHA-256 key id.</summary>
internal sealed class TestKeyPairs : IKeyPairGenerator
{
    private static readonly Lazy<RSA[]> Pool = new(() => Enumerable.Range(0, 4).Select(_ => RSA.Create(2048)).ToArray());
    private int _next;

    public GeneratedKeyPair Generate(int keySize)
    {
        var rsa = Pool.Value[Interlocked.Increment(ref _next) % Pool.Value.Length];
        var privatePem = rsa.ExportPkcs8PrivateKeyPem();
        return new GeneratedKeyPair(privatePem, rsa.ExportSubjectPublicKeyInfoPem(), KeyIdOf(privatePem), keySize);
    }

    public string ExportPublicKeyPem(string privateKeyPem)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(privateKeyPem);
        return rsa.ExportSubjectPublicKeyInfoPem();
    }

    public string CreateSelfSignedCertificatePem(string privateKeyPem, string subjectName, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(privateKeyPem);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(subjectName, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);
        return certificate.ExportCertificatePem();
    }

    public static string KeyIdOf(string privateKeyPem)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(privateKeyPem);
        return Base64Url.EncodeToString(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()));
    }
}

/// <summary>The secret store's rules over the real <see cref="Secret"/> aggregate, in memory.</summary>
internal sealed class InMemorySecretStore(ISecretProtector protector, TimeProvider time) : IRotationSecretStore
{
    private readonly object _gate = new();

    public Dictionary<(Guid Folder, string Key), Secret> Secrets { get; } = new();

    /// <summary>Fails the next write with this result (e.g. to make Promote fail).</summary>
    public Func<string, OperationResult?>? Fault { get; set; }

    public Task<SecretValueSnapshot?> ReadCurrentAsync(Guid folderId, string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(Read(folderId, key, SecretStage.Current));

    public Task<SecretValueSnapshot?> ReadNextAsync(Guid folderId, string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(Read(folderId, key, SecretStage.Next));

    public Task<OperationResult> PublishNextAsync(RotationIdentity rotation, Guid folderId, IReadOnlyDictionary<string, string> values, Actor actor, CancellationToken cancellationToken = default) =>
        Write("publish", rotation, folderId, values.Keys, (secret, key) => secret.PublishNext(values[key], rotation.Author, protector, time.GetUtcNow()));

    public Task<OperationResult> PromoteNextAsync(RotationIdentity rotation, Guid folderId, IReadOnlyCollection<string> keys, Actor actor, CancellationToken cancellationToken = default) =>
        Write("promote", rotation, folderId, keys, (secret, _) => secret.PromoteNext(rotation.Author, time.GetUtcNow()));

    public Task<OperationResult> DiscardNextAsync(RotationIdentity rotation, Guid folderId, IReadOnlyCollection<string> keys, Actor actor, CancellationToken cancellationToken = default) =>
        Write("discard", rotation, folderId, keys.Where(k => Secrets.ContainsKey((folderId, k))).ToList(), (secret, _) => secret.DiscardNext(rotation.Author, time.GetUtcNow()));

    public Task<OperationResult> SetCurrentAsync(RotationIdentity rotation, Guid folderId, IReadOnlyDictionary<string, string> values, Actor actor, CancellationToken cancellationToken = default) =>
        Write("set-current", rotation, folderId, values.Keys, (secret, key) => secret.SetValue(values[key], rotation.Author, protector, time.GetUtcNow()));

    public Task<OperationResult> ReleaseRotationSecretsAsync(RotationIdentity rotation, Actor actor, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            foreach (var secret in Secrets.Values.Where(s => s.OwnerRotationId == rotation.Id))
            {
                secret.ReleaseFromRotation(rotation.Id, time.GetUtcNow());
            }
        }

        return Task.FromResult(OperationResult.Success());
    }

    public string? Current(Guid folderId, string key) => Read(folderId, key, SecretStage.Current)?.Value;

    public string? Next(Guid folderId, string key) => Read(folderId, key, SecretStage.Next)?.Value;

    private SecretValueSnapshot? Read(Guid folderId, string key, SecretStage stage)
    {
        lock (_gate)
        {
            if (!Secrets.TryGetValue((folderId, key), out var secret))
            {
                return null;
            }

            var version = secret.Versions.SingleOrDefault(v => v.Stage == stage);
            return version is null ? null : new SecretValueSnapshot(secret.Id, key, version.Id, version.Version, stage, secret.Reveal(version, protector));
        }
    }

    private Task<OperationResult> Write(string operation, RotationIdentity rotation, Guid folderId, IEnumerable<string> keys, Action<Secret, string> write)
    {
        if (Fault?.Invoke(operation) is { } failure)
        {
            return Task.FromResult(failure);
        }

        lock (_gate)
        {
            foreach (var key in keys)
            {
                if (!Secrets.TryGetValue((folderId, key), out var secret))
                {
                    if (operation == "promote")
                    {
                        return Task.FromResult(OperationResult.Conflict($"{key} has no NEXT"));
                    }

                    secret = Secret.CreateForRotation(folderId, key, rotation.Id, time.GetUtcNow());
                    Secrets[(folderId, key)] = secret;
                }

                try
                {
                    write(secret, key);
                }
                catch (DomainException exception)
                {
                    return Task.FromResult(OperationResult.Conflict(exception.Message));
                }
            }
        }

        return Task.FromResult(OperationResult.Success());
    }
}

/// <summary>Keeps rotations and runs as live objects, with a real lease (holder + expiry) and optional crash injection.</summary>
internal sealed class InMemoryRunStore(TimeProvider time) : IRunStore
{
    private readonly object _gate = new();

    public Dictionary<Guid, Rotation> Rotations { get; } = new();

    public Dictionary<Guid, RotationRun> Runs { get; } = new();

    public List<AuditEvent> Audit { get; } = [];

    public Dictionary<Guid, (string Holder, DateTimeOffset Expires)> Leases { get; } = new();

    /// <summary>Called after each successful save; throw (e.g. OperationCanceledException) to simulate a crash there.</summary>
    public Action<RotationRun>? AfterSave { get; set; }

    public int Saves { get; private set; }

    public Task<bool> TryAcquireLeaseAsync(Guid rotationId, string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!Rotations.ContainsKey(rotationId))
            {
                return Task.FromResult(false);
            }

            var now = time.GetUtcNow();
            if (Leases.TryGetValue(rotationId, out var lease) && lease.Holder != holder && lease.Expires > now)
            {
                return Task.FromResult(false);
            }

            Leases[rotationId] = (holder, now + duration);
            return Task.FromResult(true);
        }
    }

    public Task<bool> RenewLeaseAsync(Guid rotationId, string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!Leases.TryGetValue(rotationId, out var lease) || lease.Holder != holder)
            {
                return Task.FromResult(false);
            }

            Leases[rotationId] = (holder, time.GetUtcNow() + duration);
            return Task.FromResult(true);
        }
    }

    public Task ReleaseLeaseAsync(Guid rotationId, string holder, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (Leases.TryGetValue(rotationId, out var lease) && lease.Holder == holder)
            {
                Leases.Remove(rotationId);
            }
        }

        return Task.CompletedTask;
    }

    public Task<RotationLease?> GetLeaseAsync(Guid rotationId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<RotationLease?>(!Rotations.ContainsKey(rotationId)
                ? null
                : Leases.TryGetValue(rotationId, out var lease) ? new RotationLease(lease.Holder, lease.Expires) : new RotationLease(null, null));
        }
    }

    public Task<Rotation?> FindRotationAsync(Guid rotationId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(Rotations.GetValueOrDefault(rotationId));
        }
    }

    public Task<RotationRun?> FindUnfinishedRunAsync(Guid rotationId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(Runs.Values.SingleOrDefault(r => r.RotationId == rotationId && !r.IsFinished));
        }
    }

    public Task<RotationRun?> FindFirstRunAsync(Guid rotationId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(Runs.Values.Where(r => r.RotationId == rotationId).MinBy(r => r.StartedAt));
        }
    }

    public Task AddRunAsync(RotationRun run, string leaseHolder, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Fence(run.RotationId, leaseHolder);
            Runs.Add(run.Id, run);
        }

        return Task.CompletedTask;
    }

    public Task<Rotation?> SaveRunAsync(RotationRun run, string leaseHolder, Action<Rotation>? rotationChange = null, IReadOnlyList<AuditEvent>? auditEvents = null, CancellationToken cancellationToken = default)
    {
        Rotation? rotation = null;
        lock (_gate)
        {
            Fence(run.RotationId, leaseHolder);
            if (rotationChange is not null)
            {
                rotation = Rotations[run.RotationId];
                rotationChange(rotation);
            }

            Audit.AddRange(auditEvents ?? []);
            Saves++;
        }

        AfterSave?.Invoke(run);
        return Task.FromResult(rotation);
    }

    private void Fence(Guid rotationId, string holder)
    {
        if (!Leases.TryGetValue(rotationId, out var lease) || lease.Holder != holder)
        {
            throw new LeaseLostException(rotationId);
        }
    }
}

internal sealed class CollectingNotifier : IRotationRunNotifier
{
    public ConcurrentQueue<RotationEvent> Events { get; } = new();

    public IDisposable Subscribe(Action<RotationEvent> handler) => throw new NotSupportedException();

    public void Publish(RotationEvent rotationEvent) => Events.Enqueue(rotationEvent);
}

internal sealed class RecordingFollowUps : IRotationFollowUpScheduler
{
    public ConcurrentQueue<Guid> Rescheduled { get; } = new();

    public ConcurrentQueue<(Guid RotationId, DateTimeOffset At)> Resumes { get; } = new();

    public Task RescheduleAsync(Guid rotationId, CancellationToken cancellationToken)
    {
        Rescheduled.Enqueue(rotationId);
        return Task.CompletedTask;
    }

    public Task ScheduleResumeAsync(Guid rotationId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        Resumes.Enqueue((rotationId, at));
        return Task.CompletedTask;
    }
}

/// <summary>An engine over the in-memory ports, with fast timings.</summary>
internal sealed class EngineFixture : IAsyncDisposable
{
    public const string ClientId = "app-client-id";

    public EngineFixture(RotationStrategy strategy, Action<RotationEngineOptions>? configure = null, TimeSpan? leadTime = null, TimeSpan? gracePeriod = null)
    {
        var type = strategy == RotationStrategy.PrivateKeyJwt ? RotationType.Auth0PrivateKeyJwt : RotationType.Auth0ClientSecret;
        Rotation = Rotation.Create(RotationRulesTests.ValidSettings(type) with
        {
            Strategy = strategy,
            Parameters = new RotationParameters(ClientId),
            StagedLeadTime = leadTime ?? TimeSpan.Zero,
            RetireGracePeriod = gracePeriod ?? TimeSpan.Zero,
        }, Time.GetUtcNow());
        Store.Rotations.Add(Rotation.Id, Rotation);
        Authority = new FakeAuthority(ClientId);
        if (strategy == RotationStrategy.PrivateKeyJwt)
        {
            Authority.AuthMethod = ApplicationAuthMethod.PrivateKeyJwt;
        }

        Options.VerifyTimeout = TimeSpan.FromMilliseconds(200);
        Options.VerifyInitialDelay = TimeSpan.FromMilliseconds(5);
        Options.VerifyMaxDelay = TimeSpan.FromMilliseconds(20);
        Options.TransientRetryAttempts = 3;
        Options.TransientRetryBaseDelay = TimeSpan.FromMilliseconds(2);
        Options.TransientRetryMaxDelay = TimeSpan.FromMilliseconds(10);
        Options.LeaseDuration = TimeSpan.FromSeconds(5);
        configure?.Invoke(Options);
        SecretStore = new InMemorySecretStore(Protector, Time);
        Runner = new RotationRunner(Store, Authority, SecretStore, KeyPairs, Notifier, Calculator, Protector,
            Microsoft.Extensions.Options.Options.Create(Options), Time, NullLogger<RotationRunner>.Instance);
        Engine = new RotationEngine(Store, Runner, Notifier, FollowUps, Microsoft.Extensions.Options.Options.Create(Options), Time, NullLogger<RotationEngine>.Instance);
    }

    public TimeProvider Time { get; } = TimeProvider.System;

    public ISecretProtector Protector { get; } = TestProtector.Create();

    public RotationEngineOptions Options { get; } = new();

    public NextRotationCalculator Calculator { get; } = NextRotationCalculator.Default;

    public InMemoryRunStore Store { get; } = new(TimeProvider.System);

    public FakeAuthority Authority { get; }

    public InMemorySecretStore SecretStore { get; }

    public TestKeyPairs KeyPairs { get; } = new();

    public CollectingNotifier Notifier { get; } = new();

    public RecordingFollowUps FollowUps { get; } = new();

    public Rotation Rotation { get; }

    public RotationRunner Runner { get; }

    public RotationEngine Engine { get; }

    public Guid Folder => Rotation.FolderId;

    public SecretsMapping Mapping => Rotation.SecretsMapping;

    public IReadOnlyList<GeneratedCredential> Slots => Rotation.ReadGeneratedCredentials(Protector);

    public async Task<RunResult> RunAsync(RunTrigger trigger = RunTrigger.Manual, RunStartOptions? options = null)
    {
        var start = await Engine.StartAsync(Rotation.Id, trigger, Actor.User("ada@example.com"), options);
        Assert.True(start.IsRunning, start.Message);
        return (await start.Completion)!;
    }

    public RotationRun Run(Guid id) => Store.Runs[id];

    public ValueTask DisposeAsync() => Engine.DisposeAsync();
}
