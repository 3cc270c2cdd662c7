namespace RotationDashboard.Sandbox;

/// <summary>
/// Stable ids and secrets of the data a fresh sandbox tenant starts with. They are public on purpose:
/// the sandbox is a demo and test fixture, never a place for real credentials.
/// </summary>
public static class SandboxSeed
{
    public const string TenantName = "sandbox";

    /// <summary>The dashboard's own Management API client (non_interactive, client_secret_post).</summary>
    public const string DashboardClientId = "sandbox-dashboard-m2m";
    public const string DefaultDashboardClientSecret = "sandbox-dashboard-m2m-secret-DO-NOT-USE-IN-PRODUCTION-0001";

    /// <summary>The dashboard's admin sign-in app (regular_web, client_secret_post, authorization_code).</summary>
    public const string LoginClientId = "sandbox-dashboard-login";
    public const string DefaultLoginClientSecret = "sandbox-dashboard-login-secret-DO-NOT-USE-IN-PRODUCTION-0001";

    /// <summary>"Payments API worker": non_interactive, client_secret_post.</summary>
    public const string PaymentsWorkerClientId = "sandbox-payments-api-worker";
    public const string PaymentsWorkerClientSecret = "sandbox-payments-worker-secret-0000000000000000000000000001";

    /// <summary>"Billing service": non_interactive, client_secret_post.</summary>
    public const string BillingServiceClientId = "sandbox-billing-service";
    public const string BillingServiceClientSecret = "sandbox-billing-service-secret-000000000000000000000000001";

    /// <summary>"Customer portal": regular_web, client_secret_post.</summary>
    public const string CustomerPortalClientId = "sandbox-customer-portal";
    public const string CustomerPortalClientSecret = "sandbox-customer-portal-secret-000000000000000000000000001";

    /// <summary>"Mobile app": native, token_endpoint_auth_method none, no secret.</summary>
    public const string MobileAppClientId = "sandbox-mobile-app";

    /// <summary>"Reporting job": non_interactive, client_secret_basic.</summary>
    public const string ReportingJobClientId = "sandbox-reporting-job";
    public const string ReportingJobClientSecret = "sandbox-reporting-job-secret-00000000000000000000000000001";

    /// <summary>
    /// "Ledger sync": non_interactive, private_key_jwt with one attached RS256 credential
    /// (<see cref="LedgerSyncCredentialId"/>). Its key pair is generated when the tenant is seeded;
    /// read it with <see cref="SandboxTenant.GetKeyPair"/>.
    /// </summary>
    public const string LedgerSyncClientId = "sandbox-ledger-sync";
    public const string LedgerSyncCredentialId = "cred_sandboxLedgerSync0001";

    /// <summary>
    /// A second API besides the Management API. Payments API worker (read+write), Billing service and
    /// Ledger sync (read) hold grants for it, so a token request for a rotated app can end in a 200.
    /// </summary>
    public const string PaymentsApiIdentifier = "https://payments.sandbox.test/api";

    /// <summary>The global pseudo-client real tenants list as "All Applications".</summary>
    public const string AllApplicationsClientId = "sandbox-all-applications";

    /// <summary>Management API scopes granted to the dashboard's M2M client.</summary>
    public static IReadOnlyList<string> DashboardScopes { get; } =
    [
        "read:clients", "update:clients", "read:client_keys", "update:client_keys",
        "read:client_credentials", "create:client_credentials", "update:client_credentials", "delete:client_credentials",
    ];

    public const string AdaAdminSub = "auth0|sandbox-ada-admin";
    public const string AdaAdminEmail = "ada@sandbox.test";
    public const string VictorViewerSub = "auth0|sandbox-victor-viewer";
    public const string VictorViewerEmail = "victor@sandbox.test";
    public const string OlgaOutsiderSub = "auth0|sandbox-olga-outsider";
    public const string OlgaOutsiderEmail = "olga@other.test";
    public const string UmaUnverifiedSub = "auth0|sandbox-uma-unverified";
    public const string UmaUnverifiedEmail = "uma@sandbox.test";

    /// <summary>The sandbox users offered on the sign-in page.</summary>
    public static IReadOnlyList<SandboxUser> Users { get; } =
    [
        new(AdaAdminSub, "Ada Admin", "ada", AdaAdminEmail),
        new(VictorViewerSub, "Victor Viewer", "victor", VictorViewerEmail),
        new(OlgaOutsiderSub, "Olga Outsider", "olga", OlgaOutsiderEmail),
        new(UmaUnverifiedSub, "Uma Unverified", "uma", UmaUnverifiedEmail, EmailVerified: false),
    ];
}
