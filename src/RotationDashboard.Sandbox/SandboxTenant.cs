using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using RotationDashboard.Sandbox.Internal;

namespace RotationDashboard.Sandbox;

/// <summary>
/// The sandbox tenant's state and Auth0's rules over it. Thread-safe: every read and change of the state
/// happens under one lock, and every change is saved to <see cref="SandboxTenantOptions.StateFilePath"/> when set.
/// The HTTP endpoints and the test helpers below go through the same rules.
/// Large on purpose (its partial files group the Auth0 surfaces it emulates: clients and keys, OAuth): one lock over
/// one state is what makes the emulated tenant consistent, so the state and its rules stay one class.
/// </summary>
public sealed partial class SandboxTenant
{
    private readonly Lock _gate = new();
    private readonly SandboxTenantOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly StateStore _store;
    private readonly FaultInjector _faults = new();
    private readonly TokenBucket _managementBucket;
    private readonly ConcurrentDictionary<string, RsaSecurityKey> _credentialKeys = new();
    private TenantState _state;
    private SigningKey _signingKey;
    private TimeSpan _propagationWindow;

    public SandboxTenant(IOptions<SandboxTenantOptions> options, TimeProvider timeProvider, ILogger<SandboxTenant>? logger = null)
    {
        _options = options.Value;
        _time = timeProvider;
        _logger = logger ?? NullLogger<SandboxTenant>.Instance;
        _store = new StateStore(_options.StateFilePath);
        _propagationWindow = _options.PropagationWindow;
        _managementBucket = new TokenBucket(_options.GetRateLimit(), _time.GetUtcNow());

        var saved = _store.Load();
        _state = saved ?? CreateSeedState();
        _signingKey = SigningKey.FromPem(_state.SigningKeyPem);
        if (saved is not null)
            ApplyLoginUrls(FindClientLocked(SandboxSeed.LoginClientId));
        Persist();
        Log.TenantStarted(_logger, saved is null ? "seed data" : "state file", _state.Clients.Count);
    }

    public TimeProvider TimeProvider => _time;

    /// <summary>The full path of the state file, or null when the tenant lives in memory only.</summary>
    public string? StateFilePath => _store.Path;

    public IReadOnlyList<SandboxUser> Users
    {
        get { lock (_gate) return _state.Users.ToList(); }
    }

    /// <summary>How long a replaced client secret keeps authenticating.</summary>
    public TimeSpan PropagationWindow
    {
        get { lock (_gate) return _propagationWindow; }
    }

    public void SetPropagationWindow(TimeSpan window)
    {
        if (window < TimeSpan.Zero || window > TimeSpan.FromMinutes(10))
            throw new ArgumentOutOfRangeException(nameof(window), "The propagation window must be between 0 and 10 minutes.");
        lock (_gate)
            _propagationWindow = window;
        var limit = RateLimit;
        Log.SettingsChanged(_logger, window, limit.RequestsPerSecond, limit.Burst);
    }

    /// <summary>The Management API rate limit.</summary>
    public SandboxRateLimit RateLimit => _managementBucket.Limit;

    /// <summary>Changes the Management API rate limit and refills the bucket.</summary>
    public void SetRateLimit(SandboxRateLimit limit)
    {
        if (double.IsNaN(limit.RequestsPerSecond) || double.IsInfinity(limit.RequestsPerSecond) || limit.RequestsPerSecond < 0)
            throw new ArgumentOutOfRangeException(nameof(limit), "RequestsPerSecond must be a finite number >= 0 (0 = unlimited).");
        if (!limit.IsUnlimited && limit.Burst < 1)
            throw new ArgumentOutOfRangeException(nameof(limit), "Burst must be at least 1 when a rate limit is set.");
        _managementBucket.Configure(limit, _time.GetUtcNow());
        Log.SettingsChanged(_logger, PropagationWindow, limit.RequestsPerSecond, limit.Burst);
    }

    public void SetRateLimit(SandboxPlan plan) => SetRateLimit(SandboxRateLimit.For(plan));

    public SandboxFaults Faults => _faults.Current;

    /// <summary>Replaces all faults, scripted failures included.</summary>
    public void SetFaults(SandboxFaults faults)
    {
        _faults.Set(faults);
        Log.FaultsChanged(_logger, faults.Latency, faults.ErrorRate, faults.TimeoutRate, faults.Failures.Count);
    }

    /// <summary>Adds a scripted failure of a specific call (one-shot by default).</summary>
    public void AddFailure(SandboxFailureRule rule)
    {
        _faults.AddFailure(rule);
        var current = _faults.Current;
        Log.FaultsChanged(_logger, current.Latency, current.ErrorRate, current.TimeoutRate, current.Failures.Count);
    }

    public void ClearFaults() => SetFaults(SandboxFaults.None);

    /// <summary>
    /// Back to the seed data (keeping the token-signing key so issued tokens stay verifiable),
    /// no faults, and the configured propagation window and rate limit.
    /// </summary>
    public void Reset()
    {
        lock (_gate)
        {
            var signingKeyPem = _state.SigningKeyPem;
            _state = CreateSeedState();
            _state.SigningKeyPem = signingKeyPem;
            _propagationWindow = _options.PropagationWindow;
            _pendingAuthorizations.Clear();
            _authorizationCodes.Clear();
            _usedAssertionIds.Clear();
            _credentialKeys.Clear();
            _nextIdTokenDefect = SandboxIdTokenDefect.None;
            Persist();
        }

        _faults.Clear();
        _managementBucket.Configure(_options.GetRateLimit(), _time.GetUtcNow());
        Log.TenantReset(_logger);
    }

    internal FaultInjector FaultInjector => _faults;

    internal RateLimitDecision TakeManagementToken() => _managementBucket.TryTake(_time.GetUtcNow());

    internal SigningKey SigningKey
    {
        get { lock (_gate) return _signingKey; }
    }

    // Call with the lock held (or from the constructor).
    private void Persist()
    {
        if (!_store.IsEnabled)
            return;
        try
        {
            _store.Save(_state);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The in-memory tenant is still right; losing the file is a dev inconvenience, not a reason to fail the call.
            Log.StateSaveFailed(_logger, exception, _store.Path!);
        }
    }

    private static bool SecretsEqual(string expected, string presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented));

    private ClientRecord? FindClientLocked(string clientId) =>
        _state.Clients.FirstOrDefault(c => string.Equals(c.ClientId, clientId, StringComparison.Ordinal));

    private ClientRecord RequireClientLocked(string clientId) =>
        FindClientLocked(clientId) ?? throw ManagementApiException.ClientNotFound();

    private TenantState CreateSeedState()
    {
        var now = _time.GetUtcNow();
        var state = new TenantState
        {
            SigningKeyPem = SigningKey.GeneratePem(),
            Users = SandboxSeed.Users.ToList(),
            Apis =
            [
                new ApiRecord
                {
                    Identifier = SandboxSeed.PaymentsApiIdentifier,
                    Name = "Payments API",
                    Scopes = ["read:payments", "write:payments"],
                },
            ],
        };

        ClientRecord Add(string id, string name, string? appType, string? secret, string? authMethod, List<string> grantTypes, string? description = null)
        {
            var client = new ClientRecord
            {
                ClientId = id,
                Name = name,
                Description = description,
                AppType = appType,
                ClientSecret = secret,
                TokenEndpointAuthMethod = authMethod,
                GrantTypes = grantTypes,
                CreatedAt = now,
            };
            state.Clients.Add(client);
            now = now.AddMilliseconds(1);
            return client;
        }

        var allApplications = Add(SandboxSeed.AllApplicationsClientId, "All Applications", null, Randomness.ClientSecret(), "client_secret_post", []);
        allApplications.Global = true;

        var dashboard = Add(SandboxSeed.DashboardClientId, "Rotation Dashboard (Management API)", "non_interactive",
            _options.DashboardClientSecret, "client_secret_post", ["client_credentials"],
            "The dashboard's machine-to-machine app for the Management API.");
        dashboard.ManagementScopes = SandboxSeed.DashboardScopes.ToList();

        var login = Add(SandboxSeed.LoginClientId, "Rotation Dashboard (admin sign-in)", "regular_web",
            _options.LoginClientSecret, "client_secret_post", ["authorization_code", "implicit", "refresh_token", "client_credentials"],
            "Signs administrators in to the dashboard.");
        ApplyLoginUrls(login);

        var payments = Add(SandboxSeed.PaymentsWorkerClientId, "Payments API worker", "non_interactive",
            SandboxSeed.PaymentsWorkerClientSecret, "client_secret_post", ["client_credentials"]);
        payments.ApiGrants[SandboxSeed.PaymentsApiIdentifier] = ["read:payments", "write:payments"];

        var billing = Add(SandboxSeed.BillingServiceClientId, "Billing service", "non_interactive",
            SandboxSeed.BillingServiceClientSecret, "client_secret_post", ["client_credentials"]);
        billing.ApiGrants[SandboxSeed.PaymentsApiIdentifier] = ["read:payments"];

        var portal = Add(SandboxSeed.CustomerPortalClientId, "Customer portal", "regular_web",
            SandboxSeed.CustomerPortalClientSecret, "client_secret_post", ["authorization_code", "implicit", "refresh_token", "client_credentials"]);
        portal.Callbacks = ["https://portal.sandbox.test/callback"];
        portal.AllowedLogoutUrls = ["https://portal.sandbox.test/"];

        var mobile = Add(SandboxSeed.MobileAppClientId, "Mobile app", "native", null, "none", ["authorization_code", "implicit", "refresh_token"]);
        mobile.Callbacks = ["test.sandbox.mobile://callback"];

        Add(SandboxSeed.ReportingJobClientId, "Reporting job", "non_interactive",
            SandboxSeed.ReportingJobClientSecret, "client_secret_basic", ["client_credentials"]);

        var ledger = Add(SandboxSeed.LedgerSyncClientId, "Ledger sync", "non_interactive", Randomness.ClientSecret(), null, ["client_credentials"]);
        ledger.ApiGrants[SandboxSeed.PaymentsApiIdentifier] = ["read:payments"];
        ledger.Credentials.Add(NewGeneratedCredential(SandboxSeed.LedgerSyncCredentialId, "Ledger sync key 1", "RS256", 2048, null, now));
        ledger.PrivateKeyJwtCredentialIds = [SandboxSeed.LedgerSyncCredentialId];

        return state;
    }

    // The login app's URLs follow configuration even over a saved state: the dashboard's port may change between runs.
    private void ApplyLoginUrls(ClientRecord? login)
    {
        if (login is null)
            return;
        login.Callbacks = _options.AllowedCallbackUrls.ToList();
        login.AllowedLogoutUrls = _options.AllowedLogoutUrls.ToList();
        login.AcceptsAnyLoopbackCallback = login.Callbacks.Count == 0;
        login.AcceptsAnyLoopbackLogout = login.AllowedLogoutUrls.Count == 0;
    }

    private static CredentialRecord NewGeneratedCredential(string id, string name, string alg, int keySize, DateTimeOffset? expiresAt, DateTimeOffset now)
    {
        using var rsa = RSA.Create(keySize);
        var publicKeyPem = rsa.ExportSubjectPublicKeyInfoPem();
        return new CredentialRecord
        {
            Id = id,
            Name = name,
            Alg = alg,
            Kid = RsaPublicKeys.Thumbprint(rsa.ExportParameters(false)),
            PublicKeyPem = publicKeyPem,
            PrivateKeyPem = rsa.ExportPkcs8PrivateKeyPem(),
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = expiresAt,
        };
    }
}
