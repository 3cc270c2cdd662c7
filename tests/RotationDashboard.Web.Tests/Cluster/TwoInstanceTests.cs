using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Sandbox;
using RotationDashboard.Testing;
using RotationDashboard.Web.Tests.Api;
using Xunit.Abstractions;

namespace RotationDashboard.Web.Tests.Cluster;

/// <summary>
/// Real instances (separate processes: a, b and c, started together on an empty database) on one PostgreSQL database
/// and one sandbox tenant. Quartz's clustered store holds one trigger per rotation whichever instance created it and
/// each due rotation runs exactly once; a sign-in made on one instance is valid on another, and a secret rotated on
/// one is read fresh on another within the cache staleness bound; <c>kill -9</c> of the instance running a staged
/// run (in its lead time) and a Private Key JWT run (in its grace period) lets another instance finish both while the
/// consumers' CURRENT credentials keep working at the tenant. The tests of this class share the instances and run one
/// after the other; only the kill test stops one (c), which the others do not use.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
[Trait(TestKind.Trait, TestKind.Integration)]
public class TwoInstanceTests(TwoInstanceTests.Instances instances, ITestOutputHelper output) : IClassFixture<TwoInstanceTests.Instances>
{
    /// <summary>The instances the tests of this class share.</summary>
    public sealed class Instances : IAsyncLifetime
    {
        public TwoInstanceCluster Cluster { get; private set; } = null!;

        public DashboardProcess A { get; private set; } = null!;

        public DashboardProcess B { get; private set; } = null!;

        public DashboardProcess C { get; private set; } = null!;

        public TimeSpan StartedIn { get; private set; }

        public async Task InitializeAsync()
        {
            Cluster = await TwoInstanceCluster.CreateAsync("cluster");
            var watch = Stopwatch.StartNew();
            var started = await Cluster.StartAsync("a", "b", "c");
            StartedIn = watch.Elapsed;
            (A, B, C) = (started[0], started[1], started[2]);
        }

        public async Task DisposeAsync() => await Cluster.DisposeAsync();
    }

    private TwoInstanceCluster Cluster => instances.Cluster;

    [Fact]
    public async Task Rotations_created_on_either_instance_are_scheduled_once_and_each_due_rotation_runs_exactly_once()
    {
        var cluster = Cluster;
        var all = new[] { instances.A, instances.B };
        output.WriteLine($"three instances ready (migrated together) in {instances.StartedIn.TotalMilliseconds:0} ms");

        var ids = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            var clientId = cluster.Tenant.Tenant.CreateClient($"scheduled-{i}", SandboxAppType.NonInteractive, SandboxAuthMethod.ClientSecretPost).ClientId;
            ids.Add(Guid.Parse(await cluster.CreateRotationAsync(all[i % 2], $"scheduled-{i}", "auth0-client-secret", clientId, "", autoRotation: true)));
        }

        // One trigger per rotation in the shared store, whichever instance created it; both instances take part.
        Assert.Equal(ids.Select(id => $"rotate-{id:N}").Order(), (await TriggerNamesAsync(cluster)).Order());
        Assert.True((long)(await ScalarAsync(cluster, "SELECT count(DISTINCT instance_name) FROM qrtz_scheduler_state;"))! >= 2);

        // All six become overdue (last rotated 40 days ago); an edit on either instance reschedules them at once.
        await using (var connection = new NpgsqlConnection(cluster.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("UPDATE rotations SET last_rotated_at = @ticks, is_last_rotation_manual = false WHERE id = ANY(@ids);", connection);
            command.Parameters.AddWithValue("ticks", DateTimeOffset.UtcNow.AddDays(-40).UtcTicks);
            command.Parameters.AddWithValue("ids", ids.ToArray());
            Assert.Equal(6, await command.ExecuteNonQueryAsync());
        }

        var due = DateTimeOffset.UtcNow;
        for (var i = 0; i < ids.Count; i++)
        {
            using var client = all[(i + 1) % 2].Client(TwoInstanceCluster.BootstrapToken);
            var response = await client.PatchJsonTextAsync($"{TwoInstanceCluster.RotationsRoute}/auth0-client-secret/{ids[i]}", """{"description": "due now"}""");
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }

        var elapsed = await TwoInstanceCluster.WaitUntilAsync(
            async () => await ScheduledRunsAsync(cluster, ids, RunStatus.Succeeded) == ids.Count,
            TimeSpan.FromSeconds(120),
            () => "every due rotation to run once\n" + all[0].OutputTail + "\n" + all[1].OutputTail);
        output.WriteLine($"6 overdue rotations ran {elapsed.TotalMilliseconds:0} ms after they were made due");

        // Long enough for a second firing (a trigger seen by both instances, a recovery) to show; there is none.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await using var db = cluster.CreateContext();
        var scheduledRuns = await db.RotationRuns.AsNoTracking().Where(r => ids.Contains(r.RotationId) && r.Trigger == RunTrigger.Schedule).ToListAsync();
        Assert.Equal(ids.Order(), scheduledRuns.Select(r => r.RotationId).Order());
        Assert.All(scheduledRuns, run => Assert.Equal(RunStatus.Succeeded, run.Status));
        Assert.All(scheduledRuns, run => Assert.True(run.StartedAt >= due.AddSeconds(-1), $"{run.StartedAt:o}"));
        var rotations = await db.Rotations.AsNoTracking().Where(r => ids.Contains(r.Id)).ToListAsync();
        Assert.All(rotations, r => Assert.True(r.NextRotationAt > DateTimeOffset.UtcNow.AddDays(28), $"{r.Name}: next {r.NextRotationAt:o}"));
        Assert.All(rotations, r => Assert.Null(r.LeaseHolder));
        // Still one trigger each, now at the next rotation time.
        Assert.Equal(ids.Select(id => $"rotate-{id:N}").Order(), (await TriggerNamesAsync(cluster)).Order());
        // Every rotation's consumer CURRENT is what the tenant holds.
        foreach (var rotation in rotations)
        {
            await cluster.AssertTenantAcceptsAsync(await cluster.CurrentCredentialAsync(all[0], rotation.SecretsMapping.ClientSecret!), $"after the scheduled run of {rotation.Name}");
        }
    }

    [Fact]
    public async Task A_sign_in_on_one_instance_is_valid_on_the_other_and_a_rotated_secret_is_read_fresh_there_within_the_bound()
    {
        var cluster = Cluster;
        var (a, b) = (instances.A, instances.B);

        // Sign in through instance a (OpenID Connect at its sandbox); the browser then talks to b (no sticky session).
        using var onA = await SandboxSignIn.CreateSignedInClientAsync(a.Address, SandboxSignIn.Admin);
        using var onB = new HttpClient(new HttpClientHandler { CookieContainer = SandboxSignIn.CookiesOf(onA) }) { BaseAddress = b.Address };
        foreach (var header in onA.DefaultRequestHeaders.Where(h => h.Key != "Authorization"))
        {
            onB.DefaultRequestHeaders.Add(header.Key, header.Value);
        }

        using var anonymous = b.Client(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/v1/sessions")).StatusCode);
        var sessions = await onB.GetAsync("api/v1/sessions");
        var body = await sessions.JsonAsync();
        Assert.True(sessions.StatusCode == HttpStatusCode.OK, $"b refused a's session: {(int)sessions.StatusCode} {body}\n{b.OutputTail}");
        var session = Assert.Single(body.GetProperty("sessions").EnumerateArray());

        // The secret cache: b reads (and caches) a credential, a rotates it, b reads the new one within the bound.
        var clientId = cluster.Tenant.Tenant.CreateClient("cached", SandboxAppType.NonInteractive, SandboxAuthMethod.ClientSecretPost).ClientId;
        var rotationId = await cluster.CreateRotationAsync(a, "cached", "auth0-client-secret", clientId, "");
        var before = (await cluster.CurrentCredentialAsync(b, "CACHED_CLIENT_SECRET")).GetProperty("clientSecret").GetString();
        Assert.Equal(before, (await cluster.CurrentCredentialAsync(b, "CACHED_CLIENT_SECRET")).GetProperty("clientSecret").GetString());
        using (var admin = a.Client(TwoInstanceCluster.BootstrapToken))
        {
            var rotated = await admin.PostAsync($"{TwoInstanceCluster.RotationsRoute}/auth0-client-secret/{rotationId}/rotate-secrets", null);
            Assert.True(rotated.StatusCode == HttpStatusCode.OK, await rotated.Content.ReadAsStringAsync());
        }

        var committed = Stopwatch.StartNew();
        var rotatedSecret = cluster.Tenant.Tenant.GetClientSecret(clientId);
        Assert.NotEqual(before, rotatedSecret);
        string? seen = before;
        while (seen != rotatedSecret)
        {
            // The bound is the poll interval (1 s) plus a round trip; the margin is for a loaded CI machine.
            Assert.True(committed.Elapsed < TimeSpan.FromSeconds(5), $"b still serves the old secret {committed.ElapsedMilliseconds} ms after a's rotation");
            await Task.Delay(50);
            seen = (await cluster.CurrentCredentialAsync(b, "CACHED_CLIENT_SECRET")).GetProperty("clientSecret").GetString();
        }

        output.WriteLine($"b read the secret rotated on a {committed.ElapsedMilliseconds} ms after the rotation answered (bound: poll 1 s + a round trip)");

        // Signing out on b (antiforgery token issued by a) ends the session on a too.
        var revoked = await onB.DeleteAsync($"api/v1/sessions/{session.GetProperty("id").GetString()}");
        Assert.True(revoked.StatusCode == HttpStatusCode.NoContent, $"{(int)revoked.StatusCode} {await revoked.Content.ReadAsStringAsync()}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await onA.GetAsync("api/v1/sessions")).StatusCode);
    }

    [Fact]
    public async Task Kill_9_of_the_instance_running_a_staged_and_a_private_key_jwt_run_lets_another_finish_them_while_current_keeps_working()
    {
        var cluster = Cluster;
        var (a, c) = (instances.A, instances.C);
        var stagedClient = cluster.Tenant.Tenant.CreateClient("kill-staged", SandboxAppType.NonInteractive, SandboxAuthMethod.ClientSecretPost).ClientId;
        var staged = await cluster.CreateRotationAsync(a, "kill-staged", "auth0-client-secret", stagedClient, """ "strategy": "staged", "stagedLeadTimeSeconds": 20, """);
        var jwt = await cluster.CreateRotationAsync(a, "kill-jwt", "auth0-private-key-jwt", SandboxSeed.LedgerSyncClientId, """ "retireGracePeriodSeconds": 30, """);

        // c starts both runs, one after the other; each answers 202 once its run waits: the Private Key JWT one in its
        // grace period (old and new keys both attached, a resume trigger in the shared store), then the staged one in
        // its lead time (a run working in c's memory, holding its lease).
        using (var onC = c.Client(TwoInstanceCluster.BootstrapToken))
        {
            foreach (var path in new[] { $"auth0-private-key-jwt/{jwt}", $"auth0-client-secret/{staged}" })
            {
                var response = await onC.PostAsync($"{TwoInstanceCluster.RotationsRoute}/{path}/rotate-secrets", null);
                Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\n{c.OutputTail}");
            }
        }

        var runs = await UnfinishedRunsAsync(cluster, [Guid.Parse(staged), Guid.Parse(jwt)]);
        if (runs.Count != 2)
        {
            await using var check = cluster.CreateContext();
            var all = await check.RotationRuns.AsNoTracking().Where(r => r.RotationId == Guid.Parse(staged) || r.RotationId == Guid.Parse(jwt)).OrderBy(r => r.StartedAt).ToListAsync();
            Assert.Fail("Both runs should wait on c: " + string.Join("; ", all.Select(r => $"{r.Strategy} {r.Trigger} {r.Status} {r.StartedAt:HH:mm:ss.fff}-{r.FinishedAt:HH:mm:ss.fff} {r.Message}")) + $" (now {DateTimeOffset.UtcNow:HH:mm:ss.fff})");
        }

        Assert.Contains($"/{c.ProcessId}/", (await LeaseHolderAsync(cluster, Guid.Parse(staged))) ?? "", StringComparison.Ordinal);
        Assert.Equal(2, cluster.Tenant.Tenant.GetCredentials(SandboxSeed.LedgerSyncClientId).Count(k => k.IsAttached));

        c.KillHard();
        var killedAt = DateTimeOffset.UtcNow;
        var afterKill = Stopwatch.StartNew();

        // Until both runs are done elsewhere, the consumers' CURRENT (read through a) keeps working at the tenant.
        var checks = 0;
        while (true)
        {
            await cluster.AssertTenantAcceptsAsync(await cluster.CurrentCredentialAsync(a, "KILL_STAGED_CLIENT_SECRET"), $"{afterKill.ElapsedMilliseconds} ms after the kill (staged)");
            await cluster.AssertTenantAcceptsAsync(await cluster.CurrentCredentialAsync(a, "KILL_JWT_PRIVATE_KEY"), $"{afterKill.ElapsedMilliseconds} ms after the kill (Private Key JWT)");
            checks++;
            if ((await UnfinishedRunsAsync(cluster, [Guid.Parse(staged), Guid.Parse(jwt)])).Count == 0)
            {
                break;
            }

            Assert.True(afterKill.Elapsed < TimeSpan.FromSeconds(120), "The killed instance's runs were not finished by another:\n" + a.OutputTail + "\n" + instances.B.OutputTail);
            await Task.Delay(250);
        }

        output.WriteLine($"both runs finished by another instance {afterKill.ElapsedMilliseconds} ms after kill -9 (lease {TwoInstanceCluster.LeaseDuration.TotalSeconds} s, " +
                         $"sweep every {TwoInstanceCluster.OrphanSweepInterval.TotalSeconds} s); CURRENT checked at the tenant {checks} times meanwhile");
        await using var db = cluster.CreateContext();
        foreach (var run in runs)
        {
            var finished = await db.RotationRuns.AsNoTracking().SingleAsync(r => r.Id == run.Id);
            Assert.True(finished.Status == RunStatus.Succeeded, $"{finished.Strategy}: {finished.Status} {finished.Message}");
            Assert.True(finished.FinishedAt > killedAt, $"{finished.Strategy} finished at {finished.FinishedAt:o}, before the kill at {killedAt:o}");
        }

        // The staged run was interrupted mid-run (its lead time) and resumed: a later attempt of the same run.
        var stagedRunId = runs.Single(x => x.Strategy == RotationStrategy.Staged).Id;
        Assert.True((await db.RotationRuns.AsNoTracking().SingleAsync(r => r.Id == stagedRunId)).Attempt >= 2);
        // The Private Key JWT run retired the previous key after its grace period: one key left, the CURRENT one.
        Assert.Single(cluster.Tenant.Tenant.GetCredentials(SandboxSeed.LedgerSyncClientId), k => k.IsAttached);
        var stagedCurrent = await cluster.CurrentCredentialAsync(a, "KILL_STAGED_CLIENT_SECRET");
        Assert.Equal(cluster.Tenant.Tenant.GetClientSecret(stagedClient), stagedCurrent.GetProperty("clientSecret").GetString());
        await cluster.AssertTenantAcceptsAsync(stagedCurrent, "after the staged run finished");
        await cluster.AssertTenantAcceptsAsync(await cluster.CurrentCredentialAsync(a, "KILL_JWT_PRIVATE_KEY"), "after the Private Key JWT run finished");
        Assert.All(await db.Rotations.AsNoTracking().Where(r => r.Name.StartsWith("kill-")).ToListAsync(), r => Assert.Null(r.LeaseHolder));
    }

    private static async Task<List<RotationRun>> UnfinishedRunsAsync(TwoInstanceCluster cluster, Guid[] rotationIds)
    {
        await using var db = cluster.CreateContext();
        return await db.RotationRuns.AsNoTracking().Where(r => rotationIds.Contains(r.RotationId) && r.Status == RunStatus.Running).ToListAsync();
    }

    private static async Task<string?> LeaseHolderAsync(TwoInstanceCluster cluster, Guid rotationId)
    {
        await using var db = cluster.CreateContext();
        return await db.Rotations.AsNoTracking().Where(r => r.Id == rotationId).Select(r => r.LeaseHolder).SingleAsync();
    }

    private static async Task<List<string>> TriggerNamesAsync(TwoInstanceCluster cluster)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT trigger_name FROM qrtz_triggers WHERE trigger_name LIKE 'rotate-%';", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static async Task<object?> ScalarAsync(TwoInstanceCluster cluster, string sql)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static async Task<int> ScheduledRunsAsync(TwoInstanceCluster cluster, List<Guid> ids, RunStatus status)
    {
        await using var db = cluster.CreateContext();
        return await db.RotationRuns.CountAsync(r => ids.Contains(r.RotationId) && r.Trigger == RunTrigger.Schedule && r.Status == status);
    }
}
