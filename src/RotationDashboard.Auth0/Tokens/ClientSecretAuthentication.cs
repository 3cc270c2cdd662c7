namespace RotationDashboard.Auth0;

/// <summary>How a confidential client sends its secret to <c>/oauth/token</c>.</summary>
public enum ClientSecretAuthentication
{
    /// <summary><c>client_secret_post</c>: client_id and client_secret in the form body.</summary>
    ClientSecretPost,

    /// <summary><c>client_secret_basic</c>: <c>Authorization: Basic base64(client_id:client_secret)</c>.</summary>
    ClientSecretBasic,
}
