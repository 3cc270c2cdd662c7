using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Testing;
using System.Net;
using System.Text.Json;
using RotationDashboard.Core.Security;

namespace RotationDashboard.Web.Tests.Api;

/// <summary>
/// A rotation's optional NEXT entries (seed 000's "two separate configuration entries"): empty while nothing overlaps,
/// the new credential during a staged or key rotation's overlap, empty again after the promotion; read through the
/// Infisical-compatible API, which has one value per secret.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
[Collection(ApiAppCollection.Name)]
public sealed class NextEntriesTests(ApiAppFactory app)
{
    [Fact]
    public async Task A_staged_rotation_fills_its_next_entry_during_the_overlap_and_empties_it_after()
    {
        var rotation = await ApiRotations.CreateAsync(app, "next-staged", "auth0-client-secret", app.NewApplication("next-staged"), "/next-staged",
            """{"clientId": "NS_CLIENT_ID", "clientSecret": "NS_CLIENT_SECRET", "clientSecretNext": "NS_CLIENT_SECRET_NEXT"}""",
            """ "strategy": "staged", "stagedLeadTimeSeconds": 1, """);
        var fetched = await (await app.Client().GetAsync($"api/v2/secret-rotations/auth0-client-secret/{rotation}")).JsonAsync();
        Assert.Equal("NS_CLIENT_SECRET_NEXT", fetched.GetProperty("secretRotation").GetProperty("secretsMapping").GetProperty("clientSecretNext").GetString());

        var before = await ReadAsync("/next-staged");
        Assert.Equal("", before["NS_CLIENT_SECRET_NEXT"]);
        var observed = await ObserveWhileAsync("/next-staged", () => ApiRotations.RotateAndWaitAsync(app, "auth0-client-secret", rotation));

        var after = await ReadAsync("/next-staged");
        Assert.NotEqual(before["NS_CLIENT_SECRET"], after["NS_CLIENT_SECRET"]);
        Assert.Equal("", after["NS_CLIENT_SECRET_NEXT"]);
        // During the overlap CURRENT was still the old secret and NEXT the new one.
        Assert.Contains(observed, o => o["NS_CLIENT_SECRET"] == before["NS_CLIENT_SECRET"] && o["NS_CLIENT_SECRET_NEXT"] == after["NS_CLIENT_SECRET"]);
    }

    [Fact]
    public async Task A_private_key_jwt_rotation_fills_its_next_key_and_key_id_during_the_overlap()
    {
        var rotation = await ApiRotations.CreateAsync(app, "next-pkjwt", "auth0-private-key-jwt",
            app.NewApplication("next-pkjwt", RotationDashboard.Sandbox.SandboxAuthMethod.PrivateKeyJwt), "/next-pkjwt",
            """{"clientId": "NK_CLIENT_ID", "privateKey": "NK_PRIVATE_KEY", "keyId": "NK_KEY_ID", "privateKeyNext": "NK_PRIVATE_KEY_NEXT", "keyIdNext": "NK_KEY_ID_NEXT"}""",
            """ "retireGracePeriodSeconds": 1, "useSelfSignedCertificate": true, """);
        var before = await ReadAsync("/next-pkjwt");
        Assert.Equal("", before["NK_PRIVATE_KEY_NEXT"]);
        Assert.Equal("", before["NK_KEY_ID_NEXT"]);

        var observed = await ObserveWhileAsync("/next-pkjwt", () => ApiRotations.RotateAndWaitAsync(app, "auth0-private-key-jwt", rotation));
        var after = await ReadAsync("/next-pkjwt");
        Assert.NotEqual(before["NK_KEY_ID"], after["NK_KEY_ID"]);
        Assert.Equal("", after["NK_PRIVATE_KEY_NEXT"]);
        Assert.Equal("", after["NK_KEY_ID_NEXT"]);
        Assert.Contains(observed, o => o["NK_KEY_ID"] == before["NK_KEY_ID"] && o["NK_KEY_ID_NEXT"] == after["NK_KEY_ID"]
                                       && o["NK_PRIVATE_KEY_NEXT"] == after["NK_PRIVATE_KEY"]);
        // The key id and its key always come from one snapshot: never a NEXT key id without its key.
        Assert.All(observed, o => Assert.Equal(o["NK_KEY_ID_NEXT"].Length == 0, o["NK_PRIVATE_KEY_NEXT"].Length == 0));
    }

    [Fact]
    public async Task Bad_next_names_are_refused_and_nothing_is_created()
    {
        var count = await app.RotationCountAsync();
        await app.EnsureFolderAsync("dev", "/next-bad");
        using var client = app.Client();
        foreach (var (type, extra, mapping, field) in new[]
                 {
                     ("auth0-client-secret", "\"strategy\": \"staged\",", """{"clientId": "B_ID", "clientSecret": "B_SECRET", "clientSecretNext": "B_SECRET"}""", "secretsMapping"),
                     ("auth0-client-secret", "\"strategy\": \"single-phase\",", """{"clientId": "B_ID", "clientSecret": "B_SECRET", "clientSecretNext": "B_NEXT"}""", "secretsMapping.clientSecretNext"),
                     ("auth0-client-secret", "\"strategy\": \"staged\",", """{"clientId": "B_ID", "clientSecret": "B_SECRET", "keyIdNext": "B_NEXT"}""", "secretsMapping.keyIdNext"),
                     ("auth0-private-key-jwt", "", """{"clientId": "B_ID", "privateKey": "B_KEY", "keyId": "B_KID", "privateKeyNext": "B_KEY_NEXT"}""", "secretsMapping.keyIdNext"),
                     ("auth0-private-key-jwt", "", """{"clientId": "B_ID", "privateKey": "B_KEY", "keyId": "B_KID", "privateKeyNext": "B/N", "keyIdNext": "B_KID_NEXT"}""", "secretsMapping.privateKeyNext"),
                 })
        {
            var response = await client.PostJsonTextAsync($"api/v2/secret-rotations/{type}", $$"""
                {"name": "next-bad", "projectId": "{{await app.ProjectIdAsync()}}", "connectionId": "{{await app.SandboxConnectionIdAsync()}}",
                 "environment": "dev", "secretPath": "/next-bad", "rotationInterval": 30, {{extra}}
                 "parameters": {"clientId": "{{app.NewApplication("next-bad")}}"}, "secretsMapping": {{mapping}}}
                """);
            var status = (int)response.StatusCode;
            var problem = await response.Content.ReadAsStringAsync();
            Assert.True(status is 400 or 422, $"{mapping}: {status} {problem}");
            Assert.True(JsonDocument.Parse(problem).RootElement.GetProperty("errors").TryGetProperty(field, out _), $"{mapping}: {problem}");
        }

        Assert.Equal(count, await app.RotationCountAsync());
    }

    /// <summary>
    /// What a consumer reads while <paramref name="action"/> runs: polled, and once more while the run verifies (the
    /// overlap, between publish and promote). That read happens inside the engine's step event, which holds the run
    /// until it returns, so the overlap is always observed however fast the run is.
    /// </summary>
    private async Task<List<Dictionary<string, string>>> ObserveWhileAsync(string path, Func<Task> action)
    {
        var observed = new List<Dictionary<string, string>>();
        using var stop = new CancellationTokenSource();
        using var duringVerify = app.Get<IRotationRunNotifier>().Subscribe(e =>
        {
            if (e is RunStepChangedEvent { Step: RunStepName.Verify, Status: RunStepStatus.Running })
            {
                var read = ReadAsync(path).GetAwaiter().GetResult();
                lock (observed) observed.Add(read);
            }
        });
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var read = await ReadAsync(path);
                lock (observed) observed.Add(read);
                await Task.Delay(20);
            }
        });
        await action();
        await stop.CancelAsync();
        await reader;
        return observed;
    }

    private string? _token;

    private async Task<Dictionary<string, string>> ReadAsync(string path)
    {
        _token ??= await app.IssueTokenAsync("next-reader", new ApiTokenScope(ApiPermissions.SecretsRead));
        using var client = app.Client(_token);
        var response = await client.GetAsync($"api/v3/secrets/raw?workspaceId={await app.ProjectIdAsync()}&environment=dev&secretPath={path}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("secrets").EnumerateArray()
            .ToDictionary(s => s.GetProperty("secretKey").GetString()!, s => s.GetProperty("secretValue").GetString()!);
    }
}
