using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using RotationDashboard.Web.Api;

namespace RotationDashboard.Web.Api.Consumer;

/// <summary>
/// <c>GET /api/v1/consumer/secrets/{key}</c>: <c>{"secret":{…}}</c>, the contract the client library's
/// <c>DashboardCredentialSource</c> reads.
/// </summary>
public sealed record ConsumerSecretResponse(ConsumerSecretDto Secret);

public sealed record ConsumerSecretDto(
    string Key,
    Guid ProjectId,
    [property: Description("Environment slug.")] string Environment,
    [property: Description("Normalised folder path.")] string SecretPath,
    ConsumerSecretVersionDto Current,
    ConsumerSecretVersionDto? Next,
    DateTimeOffset UpdatedAt);

public sealed record ConsumerSecretVersionDto(string Value, Guid VersionId, int Version, DateTimeOffset CreatedAt)
{
    public override string ToString() => $"ConsumerSecretVersionDto {{ VersionId = {VersionId}, Version = {Version}, Value = [redacted] }}";
}

/// <summary>Source-generated serialization for the hot path (no reflection per request), with the API's JSON settings.</summary>
[JsonSerializable(typeof(ConsumerSecretResponse))]
internal sealed partial class ConsumerJsonContext : JsonSerializerContext
{
    public static ConsumerJsonContext Api { get; } = new(new JsonSerializerOptions(ApiJson.Options));
}
