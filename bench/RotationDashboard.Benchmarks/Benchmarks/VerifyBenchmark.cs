using RotationDashboard.Auth0;
using RotationDashboard.Benchmarks.Infrastructure;
using RotationDashboard.Sandbox;

namespace RotationDashboard.Benchmarks.Benchmarks;

/// <summary>
/// Latency of proving a credential with <see cref="Auth0CredentialVerifier"/>: one token request per check, with a
/// client secret, or with a freshly signed private_key_jwt assertion (RS256, 2048-bit) that the tenant verifies.
/// </summary>
public sealed class VerifyBenchmark : IBenchmark
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(15);

    public string Name => "verify";

    public string Description =>
        "Auth0CredentialVerifier against an Unlimited sandbox tenant: client-secret checks and private_key_jwt checks " +
        "(sign an assertion, tenant verifies signature, claims and jti), each expected Valid for the Payments API.";

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        await using var bench = await SandboxBench.StartAsync(
            SandboxPlan.Unlimited, SandboxBench.ClientLimitsFor(SandboxPlan.Unlimited), cancellationToken);
        var key = bench.Host.Tenant.GetKeyPair(SandboxSeed.LedgerSyncClientId, SandboxSeed.LedgerSyncCredentialId)
                  ?? throw new InvalidOperationException("The sandbox has no key pair for Ledger sync.");

        Task SecretAsync(CancellationToken ct) => ExpectValid(bench.Verifier.VerifyClientSecretAsync(
            bench.Tenant, SandboxSeed.PaymentsWorkerClientId, SandboxSeed.PaymentsWorkerClientSecret,
            audience: SandboxSeed.PaymentsApiIdentifier, cancellationToken: ct));

        Task PrivateKeyAsync(CancellationToken ct) => ExpectValid(bench.Verifier.VerifyPrivateKeyAsync(
            bench.Tenant, SandboxSeed.LedgerSyncClientId, key.PrivateKeyPem, key.Alg, key.Kid,
            audience: SandboxSeed.PaymentsApiIdentifier, cancellationToken: ct));

        // Warm-up: connections, JIT, the tenant's key caches.
        await Measure.ConcurrentAsync(100, 2, Budget, (_, ct) => SecretAsync(ct), cancellationToken);
        await Measure.ConcurrentAsync(100, 2, Budget, (_, ct) => PrivateKeyAsync(ct), cancellationToken);

        var rows = new List<BenchmarkRow>();
        foreach (var (label, check, count) in new (string, Func<CancellationToken, Task>, int)[]
                 {
                     ("client_secret_post", SecretAsync, 2_000),
                     ("private_key_jwt (RS256)", PrivateKeyAsync, 1_000),
                 })
        {
            foreach (var concurrency in new[] { 1, 4 })
            {
                context.Progress.WriteLine($"  {label}, concurrency {concurrency}...");
                var measurement = await Measure.ConcurrentAsync(count, concurrency, Budget, (_, ct) => check(ct), cancellationToken);
                rows.Add(BenchmarkRow.From(Name, $"{label}, concurrency {concurrency}", measurement, "check"));
            }
        }

        return rows;
    }

    private static async Task ExpectValid(Task<TokenCheckResult> check)
    {
        var result = await check.ConfigureAwait(false);
        if (result.Outcome != TokenCheckOutcome.Valid)
            throw new InvalidOperationException($"Verification was {result}, expected Valid.");
    }
}
