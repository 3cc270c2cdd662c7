using Microsoft.EntityFrameworkCore;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Tests.Infrastructure;

/// <summary>Many rotations for scale tests, inserted with one SQL statement (EF would spend seconds tracking 10,000 entities).</summary>
public static class RotationSeeding
{
    /// <summary>
    /// Inserts <paramref name="count"/> rotations named <c>svc-00000</c>… in the root folder of the project's dev environment:
    /// strategies in turn (single-phase, staged, Private Key JWT), every fifth with auto-rotation off, every tenth failed,
    /// next rotation times spread over the next 60 days. Returns the number of rows inserted.
    /// </summary>
    public static async Task<int> InsertRotationsAsync(RotationDashboardDbContext db, Guid connectionId, Guid projectId, int count)
    {
        var environment = await db.Environments.SingleAsync(e => e.ProjectId == projectId && e.Slug == "dev");
        var folder = await db.Folders.SingleAsync(f => f.EnvironmentId == environment.Id && f.Path == "/");
        var now = DateTimeOffset.UtcNow.UtcTicks;
        var day = TimeSpan.TicksPerDay;
        var sql = $$"""
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {{count - 1}})
            INSERT INTO rotations (id, name, description, type, strategy, connection_id, project_id, environment_id, folder_id,
                is_auto_rotation_enabled, rotation_interval, active_index, rotation_status, last_rotation_attempted_at, last_rotated_at,
                last_rotation_job_id, next_rotation_at, encrypted_last_rotation_message, is_last_rotation_manual, encrypted_generated_credentials,
                staged_lead_time, retire_grace_period, lease_holder, lease_expires_at, created_at, updated_at, row_version,
                parameters_client_id, rotate_at_utc_hours, rotate_at_utc_minutes, secrets_mapping_client_id, secrets_mapping_client_secret,
                secrets_mapping_key_id, secrets_mapping_private_key)
            SELECT upper(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6))),
                printf('svc-%05d', i), 'Service ' || i,
                CASE i % 3 WHEN 2 THEN 'auth0-private-key-jwt' ELSE 'auth0-client-secret' END,
                CASE i % 3 WHEN 0 THEN 'SinglePhase' WHEN 1 THEN 'Staged' ELSE 'PrivateKeyJwt' END,
                '{{connectionId.ToString().ToUpperInvariant()}}', '{{projectId.ToString().ToUpperInvariant()}}',
                '{{environment.Id.ToString().ToUpperInvariant()}}', '{{folder.Id.ToString().ToUpperInvariant()}}',
                CASE WHEN i % 5 = 0 THEN 0 ELSE 1 END, 1 + i % 60, 0,
                CASE WHEN i % 10 = 3 THEN 'failed' ELSE 'success' END, {{now}} - {{day}}, {{now}} - {{day}}, NULL,
                CASE WHEN i % 5 = 0 THEN NULL ELSE {{now}} + (i % 60) * {{day}} + {{day}} / 2 END,
                NULL, 0, NULL, 300, 3600, NULL, NULL, {{now}}, {{now}}, 0,
                'client-' || i, 0, 0, 'ID_' || i,
                CASE WHEN i % 3 = 2 THEN NULL ELSE 'SECRET_' || i END,
                CASE WHEN i % 3 = 2 THEN 'KID_' || i ELSE NULL END,
                CASE WHEN i % 3 = 2 THEN 'KEY_' || i ELSE NULL END
            FROM n;
            """;
        return await db.Database.ExecuteSqlRawAsync(sql);
    }

    /// <summary>
    /// Inserts <paramref name="perRotation"/> finished runs for each rotation named <c>svc-…</c>, started at random times over
    /// the last <paramref name="days"/> days: one in twenty failed, one in twenty rolled back, the rest succeeded.
    /// Returns the number of rows inserted.
    /// </summary>
    public static async Task<int> InsertRunsAsync(RotationDashboardDbContext db, int perRotation, int days)
    {
        var now = DateTimeOffset.UtcNow.UtcTicks;
        var span = days * TimeSpan.TicksPerDay;
        var sql = $$"""
            WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < {{perRotation - 1}}),
            runs(rotation_id, strategy, started_at, outcome) AS (
                SELECT r.id, r.strategy, {{now}} - abs(random()) % {{span}}, abs(random()) % 20 FROM rotations r, k WHERE r.name LIKE 'svc-%')
            INSERT INTO rotation_runs (id, rotation_id, "trigger", actor_type, actor_name, strategy, started_at, finished_at, status, attempt,
                message, encrypted_pending_credential, checkpoint)
            SELECT upper(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6))),
                rotation_id, 'Schedule', 'Scheduler', 'scheduler', strategy, started_at, started_at + 30000000,
                CASE outcome WHEN 0 THEN 'Failed' WHEN 1 THEN 'RolledBack' ELSE 'Succeeded' END, 1,
                CASE outcome WHEN 0 THEN 'Auth0 refused the request' ELSE NULL END, NULL, NULL
            FROM runs;
            """;
        return await db.Database.ExecuteSqlRawAsync(sql);
    }
}
