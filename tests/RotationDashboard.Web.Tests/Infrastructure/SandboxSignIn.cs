using System.Net;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using RotationDashboard.Sandbox;

namespace RotationDashboard.Web.Tests.Infrastructure;

/// <summary>Signs in through the real flow: dashboard → sandbox /authorize page → pick a user → OpenID Connect callback.</summary>
public static partial class SandboxSignIn
{
    public const string Admin = SandboxSeed.AdaAdminEmail;
    public const string Viewer = SandboxSeed.VictorViewerEmail;
    public const string Outsider = SandboxSeed.OlgaOutsiderEmail;
    public const string Unverified = SandboxSeed.UmaUnverifiedEmail;

    private static readonly ConditionalWeakTable<HttpClient, CookieContainer> Cookies = new();

    /// <summary>The cookie jar of a client made here, so a test can send the same browser's cookies another way.</summary>
    public static CookieContainer CookiesOf(HttpClient client) =>
        Cookies.TryGetValue(client, out var cookies) ? cookies : throw new ArgumentException("The client was not made by SandboxSignIn.", nameof(client));

    private static HttpClient NewBrowser(Uri baseAddress, bool followRedirects)
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = followRedirects }) { BaseAddress = baseAddress };
        Cookies.Add(client, cookies);
        return client;
    }

    /// <summary>An HttpClient holding a signed-in session cookie for <paramref name="email"/>.</summary>
    public static async Task<HttpClient> CreateSignedInClientAsync(Uri baseAddress, string email)
    {
        var (client, response) = await SignInOverHttpAsync(baseAddress, email);
        Assert.True(response.IsSuccessStatusCode, $"sign-in ended with {(int)response.StatusCode} at {response.RequestMessage?.RequestUri}");

        // Like a script in the signed-in browser: fetch the antiforgery token once and send it with every call.
        using var tokenResponse = await client.GetAsync("api/v1/antiforgery-token");
        Assert.True(tokenResponse.IsSuccessStatusCode, $"antiforgery token endpoint answered {(int)tokenResponse.StatusCode}");
        using var json = System.Text.Json.JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
        client.DefaultRequestHeaders.Add(json.RootElement.GetProperty("headerName").GetString()!, json.RootElement.GetProperty("token").GetString());
        return client;
    }

    /// <summary>Walks the sign-in flow and returns the client with the final response, whatever it was.</summary>
    public static async Task<(HttpClient Client, HttpResponseMessage Final)> SignInOverHttpAsync(Uri baseAddress, string email)
    {
        var client = NewBrowser(baseAddress, followRedirects: true);

        var signInPage = await client.GetAsync("account/signin?returnUrl=%2F");
        var html = await signInPage.Content.ReadAsStringAsync();
        Assert.True(signInPage.IsSuccessStatusCode, $"sign-in page answered {(int)signInPage.StatusCode}");

        var form = UserForm(html, email);
        var response = await client.PostAsync(new Uri(signInPage.RequestMessage!.RequestUri!, form.Action), new FormUrlEncodedContent(form.Fields));
        return (client, response);
    }

    /// <summary>
    /// Starts the sign-in and picks the user on the sandbox page without following redirects, so a test can change the
    /// callback (state, code) before the browser would reach the dashboard. Returns the client and that callback address.
    /// </summary>
    /// <param name="escapedReturnUrl">The sign-in's <c>returnUrl</c> query value, exactly as sent (already escaped).</param>
    public static async Task<(HttpClient Client, Uri Callback)> ReachCallbackAsync(Uri baseAddress, string email, string escapedReturnUrl = "%2F")
    {
        var client = NewBrowser(baseAddress, followRedirects: false);
        using var challenge = await client.GetAsync("account/signin?returnUrl=" + escapedReturnUrl);
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = challenge.Headers.Location!;
        using var page = await client.GetAsync(authorize);
        var form = UserForm(await page.Content.ReadAsStringAsync(), email);
        using var chosen = await client.PostAsync(new Uri(authorize, form.Action), new FormUrlEncodedContent(form.Fields));
        Assert.Equal(HttpStatusCode.Redirect, chosen.StatusCode);
        return (client, new Uri(authorize, chosen.Headers.Location!));
    }

    private static (string Action, Dictionary<string, string> Fields) UserForm(string html, string email)
    {
        foreach (Match form in FormPattern().Matches(html))
        {
            if (!form.Value.Contains($"data-email=\"{email}\"", StringComparison.Ordinal)) continue;
            var fields = InputPattern().Matches(form.Value).ToDictionary(m => m.Groups["name"].Value, m => WebUtility.HtmlDecode(m.Groups["value"].Value));
            return (WebUtility.HtmlDecode(form.Groups["action"].Value), fields);
        }
        throw new InvalidOperationException($"The sandbox sign-in page offers no user {email}.");
    }

    [GeneratedRegex("<form method=\"post\" action=\"(?<action>[^\"]+)\">.*?</form>", RegexOptions.Singleline)]
    private static partial Regex FormPattern();

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex InputPattern();
}
