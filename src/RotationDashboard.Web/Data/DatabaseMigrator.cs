using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;
using RotationDashboard.Core.Encryption;

namespace RotationDashboard.Web.Data;

/// <summary>
/// Applies the versioned SQL scripts (Data/Migrations/NNNN_name.sql) in order. All pending scripts run in one
/// IMMEDIATE transaction (so two instances starting together cannot both apply them, and a failing script
/// leaves the database as it was) and are recorded in <c>schema_migrations(version, name, checksum, applied_at)</c>.
/// Refuses to run when an applied script was changed or the database is newer than this build.
/// On PostgreSQL the pending scripts (the PostgreSQL twins, see <see cref="MigrationScript"/>) run in one transaction
/// too (PostgreSQL's DDL is transactional) that first takes a transaction-level advisory lock
/// (<see cref="AdvisoryLockKey"/>): a second instance starting at the same time waits for the first, then finds
/// nothing pending.
/// </summary>
public sealed partial class DatabaseMigrator
{
    private const string CreateHistoryTableSql = """
        CREATE TABLE IF NOT EXISTS "schema_migrations" (
            "version" INTEGER NOT NULL PRIMARY KEY,
            "name" TEXT NOT NULL,
            "checksum" TEXT NOT NULL,
            "applied_at" TEXT NOT NULL
        );
        """;

    /// <summary>The PostgreSQL advisory lock key of schema changes and first-start seeding ("rotation" in ASCII).</summary>
    public const long AdvisoryLockKey = 0x726F746174696F6E;

    private readonly DatabaseLocation _location;
    private readonly int _busyTimeoutMilliseconds;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<DatabaseMigrator> _logger;
    private readonly IReadOnlyList<MigrationScript> _scripts;
    private readonly ILookup<int, IDataMigration> _dataMigrations;

    public DatabaseMigrator(
        DatabaseLocation location,
        IOptions<StorageOptions> storageOptions,
        TimeProvider timeProvider,
        ILogger<DatabaseMigrator> logger,
        IEnumerable<IDataMigration> dataMigrations)
        : this(location, storageOptions.Value.BusyTimeoutMilliseconds, timeProvider, logger, MigrationScript.LoadEmbedded(location.Provider), dataMigrations.ToList())
    {
    }

    /// <summary>For tests: run a given list of scripts (and the data migrations that follow some of them).</summary>
    public DatabaseMigrator(
        DatabaseLocation location,
        int busyTimeoutMilliseconds,
        TimeProvider timeProvider,
        ILogger<DatabaseMigrator> logger,
        IReadOnlyList<MigrationScript> scripts,
        IReadOnlyList<IDataMigration>? dataMigrations = null)
    {
        _location = location;
        _busyTimeoutMilliseconds = busyTimeoutMilliseconds;
        _timeProvider = timeProvider;
        _logger = logger;
        _scripts = scripts.OrderBy(s => s.Version).ToList();
        _dataMigrations = (dataMigrations ?? []).ToLookup(m => m.Version);
    }

    public IReadOnlyList<MigrationScript> Scripts => _scripts;

    /// <summary>Applies pending scripts; returns the versions applied by this call (empty when up to date).</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        if (_location.IsPostgreSql)
        {
            return await MigratePostgreSqlAsync(cancellationToken);
        }

        if (_location.DatabaseFile is { } databaseFile)
        {
            CreatePrivateFile(databaseFile);
        }

        await using var connection = new SqliteConnection(_location.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, SqlitePragmaInterceptor.PragmaSql(_busyTimeoutMilliseconds), cancellationToken);
        if (_location.DatabaseFile is not null)
        {
            // WAL is persistent in the file: readers no longer block the writer and vice versa.
            await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken);
        }

        await ExecuteAsync(connection, null, CreateHistoryTableSql, cancellationToken);

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var applied = await ReadAppliedAsync(connection, transaction, cancellationToken);
        VerifyHistory(applied);

        var pending = _scripts.Where(s => !applied.ContainsKey(s.Version)).ToList();
        if (pending.Count == 0)
        {
            LogUpToDate(_logger, applied.Count == 0 ? 0 : applied.Keys.Max(), _location.ToString());
            return [];
        }

        foreach (var script in pending)
        {
            try
            {
                await ExecuteAsync(connection, transaction, script.Sql, cancellationToken);
                foreach (var dataMigration in _dataMigrations[script.Version])
                {
                    await dataMigration.RunAsync(connection, transaction, cancellationToken);
                }
            }
            catch (Exception ex) when (ex is SqliteException or SecretDecryptionException)
            {
                throw new InvalidOperationException(
                    $"Migration {script} failed: {ex.Message}. No migration of this start-up was applied.", ex);
            }

            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = """
                INSERT INTO "schema_migrations" ("version", "name", "checksum", "applied_at")
                VALUES ($version, $name, $checksum, $appliedAt);
                """;
            record.Parameters.AddWithValue("$version", script.Version);
            record.Parameters.AddWithValue("$name", script.Name);
            record.Parameters.AddWithValue("$checksum", script.Checksum);
            record.Parameters.AddWithValue("$appliedAt", _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        foreach (var script in pending)
        {
            LogApplied(_logger, script.ToString(), _location.ToString());
        }

        return pending.Select(s => s.Version).ToList();
    }

    private async Task<IReadOnlyList<int>> MigratePostgreSqlAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(_location.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key);", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", AdvisoryLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var create = new NpgsqlCommand(CreateHistoryTableSql, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var applied = new Dictionary<int, string>();
        await using (var read = new NpgsqlCommand("""SELECT "version", "checksum" FROM "schema_migrations" ORDER BY "version";""", connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied[reader.GetInt32(0)] = reader.GetString(1);
            }
        }

        VerifyHistory(applied);
        var pending = _scripts.Where(s => !applied.ContainsKey(s.Version)).ToList();
        if (pending.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            LogUpToDate(_logger, applied.Count == 0 ? 0 : applied.Keys.Max(), _location.ToString());
            return [];
        }

        foreach (var script in pending)
        {
            try
            {
                await using var command = new NpgsqlCommand(script.Sql, connection, transaction);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException ex)
            {
                throw new InvalidOperationException(
                    $"Migration {script} failed: {ex.Message}. No migration of this start-up was applied.", ex);
            }

            await using var record = new NpgsqlCommand("""
                INSERT INTO "schema_migrations" ("version", "name", "checksum", "applied_at")
                VALUES (@version, @name, @checksum, @appliedAt);
                """, connection, transaction);
            record.Parameters.AddWithValue("version", script.Version);
            record.Parameters.AddWithValue("name", script.Name);
            record.Parameters.AddWithValue("checksum", script.Checksum);
            record.Parameters.AddWithValue("appliedAt", _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        foreach (var script in pending)
        {
            LogApplied(_logger, script.ToString(), _location.ToString());
        }

        return pending.Select(s => s.Version).ToList();
    }

    /// <summary>
    /// The database holds encrypted secrets and token hashes: owner-only (0600) on Unix. SQLite gives its -wal and -shm
    /// files the database file's mode, so creating the file first is enough; an existing file is tightened too.
    /// </summary>
    private static void CreatePrivateFile(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode ownerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (!File.Exists(path))
        {
            try
            {
                using var created = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = ownerReadWrite,
                });
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another instance created it first.
            }
        }

        if ((File.GetUnixFileMode(path) & ~ownerReadWrite) != 0)
        {
            File.SetUnixFileMode(path, ownerReadWrite);
        }
    }

    private void VerifyHistory(IReadOnlyDictionary<int, string> applied)
    {
        var known = _scripts.ToDictionary(s => s.Version);
        foreach (var (version, checksum) in applied)
        {
            if (!known.TryGetValue(version, out var script))
            {
                throw new InvalidOperationException(
                    $"The database has migration {version:0000}, which this build does not know: it was created by a newer " +
                    "version of the dashboard. Run that version (or restore a backup made before the upgrade).");
            }

            if (!string.Equals(script.Checksum, checksum, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"Migration {script} was changed after it was applied to this database. Applied migrations must never " +
                    "be edited; put schema changes in a new script.");
            }
        }
    }

    private static async Task<Dictionary<int, string>> ReadAppliedAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """SELECT "version", "checksum" FROM "schema_migrations" ORDER BY "version";""";
        var applied = new Dictionary<int, string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetInt32(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static async Task ExecuteAsync(
        SqliteConnection connection,
        SqliteTransaction? transaction,
        string sql,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied database migration {Migration} to {Database}")]
    private static partial void LogApplied(ILogger logger, string migration, string database);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Database schema is up to date at version {Version} ({Database})")]
    private static partial void LogUpToDate(ILogger logger, int version, string database);
}
