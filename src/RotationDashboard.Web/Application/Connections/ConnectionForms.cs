using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Auth0;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Connections;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.Application.Connections;

/// <summary>
/// What the connection use cases share: a form (or patch) turned into validated settings with the sandbox rules, the
/// checks before saving (name free, outbound address allowed), the view, and the audit wording. The client secret
/// never reaches a view, an audit entry or a message.
/// </summary>
public sealed class ConnectionForms(SandboxConnections sandbox, OutboundAddressPolicy addressPolicy)
{
    public const string StoredSecretNeedsSameTenant =
        "Enter the client secret again: a stored secret is only ever sent to the tenant it was saved for.";

    /// <summary>Stands in for the name while testing a half-filled form.</summary>
    public const string DraftName = "draft";

    /// <summary>Applies defaults and the sandbox rules to what the user typed, then validates the fields.</summary>
    public (ConnectionSettings Settings, ValidationErrors Errors) ToSettings(ConnectionInput input, bool requireClientSecret, bool secretGiven)
    {
        var errors = new ValidationErrors();
        var isSandbox = input.IsSandbox ?? sandbox.IsSandboxAddress(input.Domain);
        var domain = input.Domain;
        var audience = string.IsNullOrWhiteSpace(input.Audience) ? null : input.Audience;
        if (isSandbox)
        {
            if (!sandbox.IsEnabled)
            {
                errors.Add("isSandbox", "The built-in sandbox tenant is not enabled on this server (setting Sandbox:Enabled).");
            }

            if (string.IsNullOrWhiteSpace(domain))
            {
                domain = sandbox.CurrentDomain;
            }
            else if (!SandboxConnections.HasSandboxPath(domain) && TenantUrl.TryParseBase(domain, out _, out _))
            {
                errors.Add("domain", $"A sandbox connection's domain is the built-in sandbox's address, e.g. {sandbox.CurrentDomain}.");
            }

            // The sandbox's audience follows from wherever the app listens; a typed one would be ignored.
            audience = null;
        }

        var settings = new ConnectionSettings(input.Name ?? string.Empty, domain ?? string.Empty, input.ClientId ?? string.Empty, audience, isSandbox,
            input.Description, input.ProjectId);
        errors.Merge(Connection.Validate(settings, secretGiven ? input.ClientSecret ?? string.Empty : null, requireClientSecret));
        return (settings, errors);
    }

    public ConnectionInput Merge(Connection connection, ConnectionPatch patch)
    {
        // An audience that was the old tenant's default follows a new domain; a custom one stays until changed.
        var audience = patch.Audience ?? (connection.Audience == Connection.DefaultAudience(connection.Domain) ? null : connection.Audience);
        var isSandbox = patch.IsSandbox ?? (patch.Domain is null ? connection.IsSandbox : null);
        return new ConnectionInput(
            patch.Name ?? connection.Name,
            patch.Domain ?? connection.Domain,
            patch.ClientId ?? connection.ClientId,
            patch.ClientSecret,
            audience,
            isSandbox,
            patch.Description ?? connection.Description,
            patch.ProjectId ?? connection.ProjectId);
    }

    public static bool SameTenant(Connection stored, ConnectionSettings next)
    {
        if (stored.IsSandbox || next.IsSandbox)
        {
            // Every sandbox address is this app's own sandbox.
            return stored.IsSandbox == next.IsSandbox;
        }

        return Connection.TryNormalizeDomain(next.Domain, allowHttp: false, out var domain, out _)
               && Connection.ToBaseUri(domain) == stored.BaseUri;
    }

    public async Task CheckOutboundAddressAsync(ConnectionSettings settings, ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (settings.IsSandbox || errors.ContainsKey("domain") || !Auth0TenantAddress.TryParse(settings.Domain, out var tenant, out _))
        {
            return;
        }

        if (await addressPolicy.CheckAsync(tenant, cancellationToken) is { } refusal)
        {
            errors.Add("domain", refusal);
        }
    }

    public static async Task CheckNameIsFreeAsync(
        RotationDashboardDbContext db,
        string name,
        Guid? exceptId,
        ValidationErrors errors,
        CancellationToken cancellationToken)
    {
        var trimmed = name.Trim();
        if (!errors.ContainsKey("name") && await db.Connections.AnyAsync(c => c.Name == trimmed && c.Id != exceptId, cancellationToken))
        {
            errors.Add("name", NameTakenMessage(trimmed));
        }
    }

    public ConnectionView ToView(Connection connection, int rotationCount)
    {
        var granted = connection.GrantedScopeList;
        return new ConnectionView(
            connection.Id,
            connection.Name,
            connection.Method,
            connection.IsSandbox ? sandbox.CurrentDomain : connection.Domain,
            connection.ClientId,
            connection.IsSandbox && sandbox.TryGetBaseUri() is { } sandboxBase ? TenantUrl.ManagementApiAudience(sandboxBase) : connection.Audience,
            connection.IsSandbox,
            connection.LastValidatedAt,
            connection.LastValidationOk,
            connection.LastValidationMessage,
            granted,
            connection.LastValidationOk == true ? ConnectionScopes.FindMissing(granted) : ConnectionScopes.AllMissing(),
            rotationCount,
            connection.CreatedAt,
            connection.UpdatedAt,
            connection.Description,
            connection.ProjectId);
    }

    // A connection that does not exist yet has no id to record.
    public static AuditTarget NewConnectionTarget(string? name) => new(AuditTargetTypes.Connection, null, name?.Trim());

    public static Task<int> CountRotationsAsync(RotationDashboardDbContext db, Guid connectionId, CancellationToken cancellationToken) =>
        db.Rotations.CountAsync(r => r.ConnectionId == connectionId, cancellationToken);

    public static string Describe(Connection connection) =>
        $"Domain {connection.Domain}, client {connection.ClientId}, audience {connection.Audience}{(connection.IsSandbox ? ", built-in sandbox" : "")}.";

    public static List<string> Changes(
        (string Name, string Domain, string ClientId, string Audience, bool IsSandbox) before,
        Connection after,
        bool secretChanged)
    {
        var changes = new List<string>();
        if (before.Name != after.Name) changes.Add($"name (was \"{before.Name}\")");
        if (before.Domain != after.Domain) changes.Add($"domain (was {before.Domain})");
        if (before.ClientId != after.ClientId) changes.Add($"client ID (was {before.ClientId})");
        if (before.Audience != after.Audience) changes.Add($"audience (was {before.Audience})");
        if (before.IsSandbox != after.IsSandbox) changes.Add("built-in sandbox");
        if (secretChanged) changes.Add("client secret");
        return changes;
    }

    // Settings a cached application list depends on; the secret counts only as its ciphertext's hash.
    public static string Fingerprint(Connection connection) =>
        Convert.ToHexString(SHA256.HashData(
            Encoding.UTF8.GetBytes($"{connection.Domain}\n{connection.ClientId}\n{connection.Audience}\n{connection.IsSandbox}\n")
                .Concat(connection.EncryptedClientSecret).ToArray()));

    public static string NameTakenMessage(string name) => $"A connection named \"{name.Trim()}\" already exists.";

    public static string InUseMessage(string name, IReadOnlyList<string> rotations) =>
        $"Connection \"{name}\" is used by {rotations.Count} rotation{(rotations.Count == 1 ? "" : "s")} " +
        $"({string.Join(", ", rotations.Take(5))}{(rotations.Count > 5 ? ", …" : "")}). Delete those rotations first.";
}
