using RotationDashboard.Testing;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Hosting;

namespace RotationDashboard.Web.Tests.Api;

/// <summary>
/// Malformed input on every route, generated from the app's own endpoint list (so a new route is covered without
/// anyone remembering): bad route values, query values that do not bind, bodies that are not what the route reads, a
/// 32 MiB body. Every answer is a 4xx (never a 5xx, never a success) and nothing is written, in the dashboard or in Auth0.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
[Collection(ApiAppCollection.Name)]
public sealed class MalformedInputTests(ApiAppFactory app)
{
    /// <summary>Routes that take no input at all (nothing to malform) but act when posted to.</summary>
    private static readonly string[] TakeNoInput =
    [
        "POST " + SandboxIntegration.MountPath + "/__sandbox/reset",
    ];

    // "." and ".." as a whole segment never reach a route: clients and Kestrel remove dot segments from paths.
    private static readonly string[] RouteValues =
    [
        "a b", "a\u0001b", "../../etc/passwd", "..%2F..%2Fetc", "%00", "\u00fc\u00df\u2603\U0001F600", new string('x', 5000), "' OR 1=1 --",
    ];

    private static readonly string[] QueryValues =
    [
        "maybe", "abc", "2147483648", "-2147483649", "1e400", "a b", "a\u0001b", "..", "%00", "\u00fc\u2603\U0001F600", new string('q', 5000), "",
    ];

    [Fact]
    public async Task Every_route_answers_malformed_input_with_a_4xx_and_writes_nothing()
    {
        var endpoints = Walkable().ToList();
        Assert.Contains(endpoints, e => e.Key == "POST /api/v2/secret-rotations/auth0-client-secret");
        Assert.Contains(endpoints, e => e.Key == "POST " + SandboxIntegration.MountPath + "/oauth/token");
        var allKeys = app.Get<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().SelectMany(Keys).ToHashSet();
        Assert.All(TakeNoInput, key => Assert.Contains(key, allKeys)); // the exemptions name real routes

        var before = await CountRowsAsync();
        var sandboxBefore = SandboxState();
        using var client = app.Client();
        var managementToken = await SandboxManagementTokenAsync(client);
        var answers = new List<string>();

        foreach (var endpoint in endpoints)
        {
            foreach (var request in MalformedRequests(endpoint))
            {
                if (endpoint.Pattern.StartsWith(SandboxIntegration.MountPath + "/api/v2", StringComparison.Ordinal))
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", managementToken);
                }

                var description = $"{request.Method} {Shorten(request.RequestUri!.OriginalString)} [{Shorten(request.Content?.Headers.ContentType?.ToString() ?? "no body")}]";
                using var response = await client.SendAsync(request);
                var status = (int)response.StatusCode;
                if (status is < 400 or >= 500)
                {
                    answers.Add($"{status} for {description}: {Shorten(await response.Content.ReadAsStringAsync())}");
                }
                else if (endpoint.Pattern.StartsWith("/api/", StringComparison.Ordinal))
                {
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                    var body = await response.Content.ReadAsStringAsync();
                    Assert.True(body.Length < 16 * 1024, $"{description}: the answer echoes the input ({body.Length} characters)");
                }

                request.Dispose();
            }
        }

        Assert.True(answers.Count == 0, $"{answers.Count} answers were not 4xx:\n" + string.Join("\n", answers));
        Assert.Equal(before, await CountRowsAsync());
        Assert.Equal(sandboxBefore, SandboxState()); // the walk posts to the sandbox itself, so its request count proves nothing
    }

    [Fact]
    public async Task A_query_value_that_does_not_bind_is_a_400_naming_the_parameter()
    {
        using var client = app.Client();
        var connectionId = await app.SandboxConnectionIdAsync();

        var refresh = await (await client.GetAsync($"api/v1/app-connections/auth0/{connectionId}/clients?refresh=maybe")).AssertProblemAsync(400);
        Assert.True(refresh.GetProperty("errors").TryGetProperty("refresh", out _), refresh.ToString());

        foreach (var query in new[] { "take=abc", "skip=2147483648" })
        {
            var runs = await (await client.GetAsync($"api/v2/secret-rotations/auth0-client-secret/{Guid.NewGuid()}/runs?{query}")).AssertProblemAsync(400);
            Assert.True(runs.GetProperty("errors").TryGetProperty(query.Split('=')[0], out var messages), runs.ToString());
            Assert.Contains("whole number", messages[0].GetString());
        }
    }

    private sealed record WalkableEndpoint(string Method, string Pattern, RoutePattern Route, IReadOnlyList<string> QueryParameters)
    {
        public string Key => $"{Method} {Pattern}";
    }

    private IEnumerable<WalkableEndpoint> Walkable()
    {
        foreach (var endpoint in app.Get<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = PatternOf(endpoint);
            if (!pattern.StartsWith("/api/", StringComparison.Ordinal) && !pattern.StartsWith(SandboxIntegration.MountPath + "/", StringComparison.Ordinal))
            {
                continue;
            }

            var routeNames = endpoint.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var query = endpoint.Metadata.GetOrderedMetadata<IParameterBindingMetadata>()
                .Where(p => !routeNames.Contains(p.Name) && IsQueryValue(p.ParameterInfo.ParameterType))
                .Select(p => p.Name)
                .ToList();
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST"])
            {
                var walkable = new WalkableEndpoint(method, pattern, endpoint.RoutePattern, query);
                if (!TakeNoInput.Contains(walkable.Key))
                {
                    yield return walkable;
                }
            }
        }
    }

    private static IEnumerable<string> Keys(RouteEndpoint endpoint) =>
        (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {PatternOf(endpoint)}");

    private static string PatternOf(RouteEndpoint endpoint) => "/" + (endpoint.RoutePattern.RawText ?? "").Trim('/');

    private static bool IsQueryValue(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying == typeof(string) || underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(Guid)
               || underlying == typeof(DateTimeOffset) || underlying == typeof(DateTime) || underlying == typeof(decimal);
    }

    private static IEnumerable<HttpRequestMessage> MalformedRequests(WalkableEndpoint endpoint)
    {
        var method = new HttpMethod(endpoint.Method);
        foreach (var parameter in endpoint.Route.Parameters)
        {
            foreach (var value in RouteValues)
            {
                yield return new HttpRequestMessage(method, Path(endpoint.Route, parameter.Name, value));
            }
        }

        foreach (var name in endpoint.QueryParameters)
        {
            foreach (var value in QueryValues)
            {
                yield return new HttpRequestMessage(method, Path(endpoint.Route, null, null) + "?" + name + "=" + Uri.EscapeDataString(value));
            }
        }

        if (endpoint.Method is not ("POST" or "PUT" or "PATCH"))
        {
            yield break;
        }

        foreach (var content in MalformedBodies())
        {
            var request = new HttpRequestMessage(method, Path(endpoint.Route, null, null)) { Content = content };
            // As a well-behaved client sends a large body: the server may refuse it before it is sent.
            request.Headers.ExpectContinue = content.Headers.ContentLength > 1024 * 1024 ? true : null;
            yield return request;
        }
    }

    private static IEnumerable<HttpContent> MalformedBodies()
    {
        yield return Json("{\"name\": ");
        yield return Json("[1, 2, 3]");
        yield return Json("\"just a string\"");
        yield return Json("null");
        yield return Json("{\"name\": 5, \"projectId\": true, \"rotationInterval\": \"monthly\", \"parameters\": [], \"credentials\": 7, \"faults\": \"x\"}");
        yield return Json("{\"rotationInterval\": 1e400, \"stagedLeadTimeSeconds\": 99999999999999999999}");
        yield return Json(new string('[', 1000) + new string(']', 1000));
        yield return Json("{\"name\": \"\u0000\u0001\", \"description\": \"" + new string('d', 1_100_000) + "\"}");
        var huge = JsonSerializer.Serialize(new string('h', 50_000));
        yield return Json($$$"""
            {"name": {{{huge}}}, "description": {{{huge}}}, "environment": {{{huge}}}, "secretPath": {{{huge}}}, "type": {{{huge}}}, "strategy": {{{huge}}},
             "method": {{{huge}}}, "parameters": {"clientId": {{{huge}}}}, "secretsMapping": {"clientId": {{{huge}}}, "clientSecret": {{{huge}}}},
             "credentials": {"domain": {{{huge}}}, "clientId": {{{huge}}}, "clientSecret": {{{huge}}}, "audience": {{{huge}}}}}
            """);
        yield return Form("grant_type=%00&client_id=%00%FF&client_secret=%");
        yield return Form(new string('k', 5000) + "=v");
        yield return Form(string.Join("&", Enumerable.Range(0, 1100).Select(i => $"k{i}=v")));
        yield return new StringContent("hello", Encoding.UTF8, "text/plain");
        yield return new ByteArrayContent([0xFF, 0xFE, 0x00, 0x7B]) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        yield return new ByteArrayContent(new byte[32 * 1024 * 1024]) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static StringContent Form(string text) => new(text, Encoding.ASCII, "application/x-www-form-urlencoded");

    /// <summary>The route with <paramref name="malformed"/> as <paramref name="parameter"/>; other parameters get a well-formed value that names nothing.</summary>
    private static string Path(RoutePattern route, string? parameter, string? malformed)
    {
        var segments = new List<string>();
        foreach (var segment in route.PathSegments)
        {
            var text = new StringBuilder();
            foreach (var part in segment.Parts)
            {
                switch (part)
                {
                    case RoutePatternLiteralPart literal:
                        text.Append(literal.Content);
                        break;
                    case RoutePatternSeparatorPart separator:
                        text.Append(separator.Content);
                        break;
                    case RoutePatternParameterPart p when p.Name == parameter:
                        text.Append(Uri.EscapeDataString(malformed!));
                        break;
                    case RoutePatternParameterPart p:
                        text.Append(p.ParameterPolicies.Any(policy => policy.Content == "guid") ? Guid.NewGuid().ToString() : "no-such-thing");
                        break;
                }
            }

            segments.Add(text.ToString());
        }

        return "/" + string.Join("/", segments);
    }

    private async Task<string> SandboxManagementTokenAsync(HttpClient client)
    {
        var response = await client.PostAsync(new Uri(app.TenantUrl, "oauth/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = SandboxSeed.DashboardClientId,
            ["client_secret"] = app.Sandbox.GetClientSecret(SandboxSeed.DashboardClientId)!,
            ["audience"] = new Uri(app.TenantUrl, "api/v2/").ToString(),
        }));
        var body = await response.JsonAsync();
        return body.GetProperty("access_token").GetString()!;
    }

    private async Task<string> CountRowsAsync()
    {
        await using var db = await app.CreateContextAsync();
        return string.Join(", ",
            $"rotations {await db.Rotations.CountAsync()}",
            $"runs {await db.RotationRuns.CountAsync()}",
            $"connections {await db.Connections.CountAsync()}",
            $"folders {await db.Folders.CountAsync()}",
            $"secrets {await db.Secrets.CountAsync()}",
            $"versions {await db.SecretVersions.CountAsync()}",
            $"tokens {await db.ApiTokens.CountAsync()}");
    }

    private string SandboxState()
    {
        var tenant = app.Sandbox;
        var clients = tenant.GetClients().Select(c => $"{c.ClientId}:{c.ClientSecret}:{c.AuthMethod}:{string.Join('+', c.Credentials.Select(k => $"{k.Id}/{k.IsAttached}"))}");
        return string.Join("\n", clients.Order(StringComparer.Ordinal))
               + $"\nfaults {JsonSerializer.Serialize(tenant.Faults)}\nwindow {tenant.PropagationWindow}\nrate {tenant.RateLimit}";
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + "…";
}
