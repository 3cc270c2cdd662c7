using RotationDashboard.Testing;
using Xunit.Abstractions;

namespace RotationDashboard.Web.Tests.Rotations;

// The persistence and scheduling tests of the engine once more on PostgreSQL: Npgsql under EF, the leases' conditional
// UPDATEs under PostgreSQL's row locks, Quartz's clustered ADO.NET job store instead of the in-memory one. Same tests,
// same assertions; only the installation differs (EngineTestData with a database on the run's PostgreSQL server).

/// <summary><see cref="SchedulingTests"/> on PostgreSQL with Quartz's clustered store.</summary>
[Collection(PostgreSqlCollection.Name)]
[Trait(TestKind.Trait, TestKind.Integration)]
public class PostgreSqlSchedulingTests(ITestOutputHelper output) : SchedulingTests(output)
{
    protected override Task<EngineTestData> CreateDataAsync() => EngineTestData.CreateAsync(postgreSql: true);
}

/// <summary><see cref="CrashRecoveryTests"/> on PostgreSQL.</summary>
[Collection(PostgreSqlCollection.Name)]
[Trait(TestKind.Trait, TestKind.Integration)]
public class PostgreSqlCrashRecoveryTests(ITestOutputHelper output) : CrashRecoveryTests(output)
{
    protected override Task<EngineTestData> CreateDataAsync() => EngineTestData.CreateAsync(postgreSql: true);
}
