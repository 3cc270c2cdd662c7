using RotationDashboard.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RotationDashboard.Sandbox.Tests;

[Trait(TestKind.Trait, TestKind.Integration)]
public sealed partial class AuthorizationCodeTests(SharedSandbox sandbox) : IClassFixture<SharedSandbox>
{
    private const string RedirectUri = "http://localhost:5123/signin-oauth";
    private SandboxHost Host => sandbox.Host;

    [GeneratedRegex("action=\"([^\"]+)\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("name=\"transaction\" value=\"([^\"]+)\"")]
    private static partial Regex Transaction();

    private static (string Verifier, string Challenge) NewPkce()
    {
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(48));
        return (verifier, Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    /// <summary>Walks the sign-in page as a browser would and returns the code from the redirect.</summary>
    private async Task<string> SignInAsync(HttpClient http, string challenge, string userSub, string state = "xyz")
    {
        var authorize = QueryHelpers.AddQueryString("authorize", new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = SandboxSeed.LoginClientId,
            ["redirect_uri"] = RedirectUri,
            ["scope"] = "openid profile email",
            ["state"] = state,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
        });
        using var page = await http.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Sandbox tenant — not a real Auth0 sign-in", html);
        Assert.Contains("Ada Admin", html);
        Assert.Contains("olga@other.test", html);

        using var choose = await http.PostAsync(FormAction().Match(html).Groups[1].Value, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["transaction"] = Transaction().Match(html).Groups[1].Value,
            ["sub"] = userSub,
        }));
        Assert.Equal(HttpStatusCode.Redirect, choose.StatusCode);
        var location = choose.Headers.Location!;
        Assert.StartsWith(RedirectUri + "?", location.AbsoluteUri);
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal(state, query["state"].ToString());
        return query["code"].ToString();
    }

    private static Task<HttpResponseMessage> ExchangeAsync(HttpClient http, string code, string verifier, string redirectUri = RedirectUri) =>
        http.RequestTokenAsync(
            ("grant_type", "authorization_code"),
            ("client_id", SandboxSeed.LoginClientId),
            ("client_secret", SandboxSeed.DefaultLoginClientSecret),
            ("code", code),
            ("redirect_uri", redirectUri),
            ("code_verifier", verifier));

    [Fact]
    public async Task Sign_in_with_PKCE_returns_tokens_and_userinfo_describes_the_chosen_user()
    {
        using var http = Host.CreateHttpClient(followRedirects: false);
        var (verifier, challenge) = NewPkce();
        var code = await SignInAsync(http, challenge, SandboxSeed.AdaAdminSub);

        using var response = await ExchangeAsync(http, code, verifier);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal("openid profile email", body.GetProperty("scope").GetString());
        Assert.True(body.GetProperty("expires_in").GetInt32() > 0);
        var idToken = new JsonWebToken(body.GetProperty("id_token").GetString());
        Assert.Equal(SandboxSeed.AdaAdminSub, idToken.Subject);
        Assert.Equal([SandboxSeed.LoginClientId], idToken.Audiences);

        using var userInfoRequest = new HttpRequestMessage(HttpMethod.Get, "userinfo");
        userInfoRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("access_token").GetString());
        using var userInfo = await http.SendAsync(userInfoRequest);
        Assert.Equal(HttpStatusCode.OK, userInfo.StatusCode);
        var claims = await userInfo.ReadJsonAsync();
        Assert.Equal(SandboxSeed.AdaAdminSub, claims.GetProperty("sub").GetString());
        Assert.Equal("Ada Admin", claims.GetProperty("name").GetString());
        Assert.Equal("ada", claims.GetProperty("nickname").GetString());
        Assert.Equal(SandboxSeed.AdaAdminEmail, claims.GetProperty("email").GetString());
        Assert.True(claims.GetProperty("email_verified").GetBoolean());
        Assert.StartsWith(Host.BaseUrl.AbsoluteUri + "avatars/", claims.GetProperty("picture").GetString());
        Assert.True(claims.TryGetProperty("updated_at", out _));
    }

    [Fact]
    public async Task A_wrong_verifier_is_refused_and_the_code_is_single_use()
    {
        using var http = Host.CreateHttpClient(followRedirects: false);
        var (verifier, challenge) = NewPkce();
        var code = await SignInAsync(http, challenge, SandboxSeed.VictorViewerSub);

        using var wrong = await ExchangeAsync(http, code, NewPkce().Verifier);
        using var retry = await ExchangeAsync(http, code, verifier);

        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal("invalid_grant", (await wrong.ReadJsonAsync()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, retry.StatusCode);
    }

    [Fact]
    public async Task A_redirect_uri_that_differs_from_the_authorize_request_is_refused()
    {
        using var http = Host.CreateHttpClient(followRedirects: false);
        var (verifier, challenge) = NewPkce();
        var code = await SignInAsync(http, challenge, SandboxSeed.AdaAdminSub);

        using var response = await ExchangeAsync(http, code, verifier, "http://localhost:5123/elsewhere");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Non_loopback_callbacks_and_plain_PKCE_are_refused()
    {
        using var http = Host.CreateHttpClient(followRedirects: false);

        using var mismatch = await http.GetAsync(
            $"authorize?response_type=code&client_id={SandboxSeed.LoginClientId}&redirect_uri={Uri.EscapeDataString("https://evil.test/cb")}");
        using var plain = await http.GetAsync(
            $"authorize?response_type=code&client_id={SandboxSeed.LoginClientId}&redirect_uri={Uri.EscapeDataString(RedirectUri)}&code_challenge=abc&code_challenge_method=plain&state=s1");

        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        Assert.Contains("Callback URL mismatch", await mismatch.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, plain.StatusCode);
        var query = QueryHelpers.ParseQuery(plain.Headers.Location!.Query);
        Assert.Equal("invalid_request", query["error"].ToString());
        Assert.Equal("s1", query["state"].ToString());
    }

    [Fact]
    public async Task Userinfo_without_a_valid_token_is_401_and_a_management_token_is_not_accepted()
    {
        using var http = Host.CreateHttpClient();
        using var anonymous = await http.GetAsync("userinfo");
        var managementToken = await http.ManagementTokenAsync(Host);
        using var request = new HttpRequestMessage(HttpMethod.Get, "userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", managementToken);
        using var wrongAudience = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongAudience.StatusCode);
    }

    [Fact]
    public async Task Logout_redirects_only_to_allowed_urls()
    {
        using var http = Host.CreateHttpClient(followRedirects: false);

        using var allowed = await http.GetAsync($"v2/logout?client_id={SandboxSeed.LoginClientId}&returnTo={Uri.EscapeDataString("http://localhost:5123/")}");
        using var refused = await http.GetAsync($"v2/logout?client_id={SandboxSeed.LoginClientId}&returnTo={Uri.EscapeDataString("https://evil.test/")}");

        Assert.Equal(HttpStatusCode.Redirect, allowed.StatusCode);
        Assert.Equal("http://localhost:5123/", allowed.Headers.Location!.AbsoluteUri);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Theory]
    [InlineData("wrongSignature", typeof(SecurityTokenInvalidSignatureException))]
    [InlineData("wrongAudience", typeof(SecurityTokenInvalidAudienceException))]
    [InlineData("expired", typeof(SecurityTokenExpiredException))]
    [InlineData("wrongNonce", null)]
    public async Task The_next_id_token_carries_the_requested_defect_and_only_once(string defect, Type? refusal)
    {
        using var http = Host.CreateHttpClient(followRedirects: false);
        using var arm = await http.PostAsync("__sandbox/id-token-defect",
            new StringContent($$"""{"defect":"{{defect}}"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, arm.StatusCode);

        var defective = await IssueIdTokenAsync(http);
        var sound = await IssueIdTokenAsync(http);

        using var jwks = await http.GetAsync(".well-known/jwks.json");
        var keys = new JsonWebKeySet(await jwks.Content.ReadAsStringAsync()).GetSigningKeys();
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = Host.BaseUrl.AbsoluteUri,
            ValidAudience = SandboxSeed.LoginClientId,
            IssuerSigningKeys = keys,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        };
        var handler = new JsonWebTokenHandler();
        Assert.True((await handler.ValidateTokenAsync(sound, parameters)).IsValid);
        var result = await handler.ValidateTokenAsync(defective, parameters);
        if (refusal is null)
        {
            // No nonce was sent to /authorize, so any nonce in the token is a wrong one.
            Assert.True(result.IsValid);
            Assert.True(new JsonWebToken(defective).TryGetPayloadValue<string>("nonce", out var nonce) && nonce.Length > 0);
            Assert.False(new JsonWebToken(sound).TryGetPayloadValue<string>("nonce", out _));
        }
        else
        {
            Assert.False(result.IsValid);
            Assert.IsType(refusal, result.Exception);
        }
    }

    private async Task<string> IssueIdTokenAsync(HttpClient http)
    {
        var (verifier, challenge) = NewPkce();
        var code = await SignInAsync(http, challenge, SandboxSeed.AdaAdminSub);
        using var response = await ExchangeAsync(http, code, verifier);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("id_token").GetString()!;
    }
}
