using System.Text.Json.Serialization;
using RotationDashboard.Auth0.Tokens;

namespace RotationDashboard.Auth0.Http;

[JsonSourceGenerationOptions(
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(Auth0Client))]
[JsonSerializable(typeof(List<Auth0Client>))]
[JsonSerializable(typeof(Auth0ClientListResponse))]
[JsonSerializable(typeof(Auth0ClientCredential))]
[JsonSerializable(typeof(List<Auth0ClientCredential>))]
[JsonSerializable(typeof(NewClientCredential))]
[JsonSerializable(typeof(TokenEndpointResponse))]
internal sealed partial class Auth0JsonContext : JsonSerializerContext;
