using RotationDashboard.Core.Rotations;

namespace RotationDashboard.Web.Components.Connections;

public static class RotationTypeText
{
    public static string Label(RotationType type) => type switch
    {
        RotationType.Auth0ClientSecret => "Client secret",
        RotationType.Auth0PrivateKeyJwt => "Private Key JWT",
        _ => type.ToString(),
    };
}
