using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace RotationDashboard.Web.Tests.Api;

/// <summary>Rotations created and rotated through the HTTP API, as an operator would.</summary>
internal static class ApiRotations
{
    private const string RotationsRoute = "api/v2/secret-rotations";

    public static async Task<string> CreateAsync(ApiAppFactory app, string name, string type, string clientId, string path, string mapping, string extra)
    {
        await app.EnsureFolderAsync("dev", path);
        using var client = app.Client();
        var response = await client.PostJsonTextAsync($"{RotationsRoute}/{type}", $$"""
            {
              "name": "{{name}}",
              "projectId": "{{await app.ProjectIdAsync()}}",
              "connectionId": "{{await app.SandboxConnectionIdAsync()}}",
              "environment": "dev",
              "secretPath": "{{path}}",
              "isAutoRotationEnabled": false,
              "rotationInterval": 30,
              {{extra}}
              "parameters": {"clientId": "{{clientId}}"},
              "secretsMapping": {{mapping}}
            }
            """);
        var body = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        var rotation = body.GetProperty("secretRotation");
        Assert.True(rotation.GetProperty("rotationStatus").GetString() == "success", rotation.ToString());
        Assert.Equal(extra.Contains("useSelfSignedCertificate", StringComparison.Ordinal), rotation.GetProperty("useSelfSignedCertificate").GetBoolean());
        return rotation.GetProperty("id").GetString()!;
    }

    /// <summary>Rotates through the API and waits until the run has finished (a staged run answers 202 during its lead time).</summary>
    public static async Task RotateAndWaitAsync(ApiAppFactory app, string type, string rotationId)
    {
        using var client = app.Client();
        var deadline = Stopwatch.StartNew();
        HttpResponseMessage response;
        while (true)
        {
            // A Private Key JWT run may still wait to retire the previous key; a new rotate finishes it first.
            response = await client.PostAsync($"{RotationsRoute}/{type}/{rotationId}/rotate-secrets", null);
            if (response.StatusCode != HttpStatusCode.BadRequest || deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                break;
            }

            await Task.Delay(100);
        }

        var body = await response.JsonAsync();
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, body.ToString());
        var runId = body.GetProperty("run").GetProperty("id").GetString();
        while (true)
        {
            var run = (await (await client.GetAsync($"{RotationsRoute}/{type}/{rotationId}/runs/{runId}")).JsonAsync()).GetProperty("run");
            var status = run.GetProperty("status").GetString();
            var waitingToRetire = run.GetProperty("waitingUntil").ValueKind != JsonValueKind.Null;
            if (status == "succeeded" || (status == "running" && waitingToRetire))
            {
                return;
            }

            Assert.True(status == "running", run.ToString());
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "The run did not finish: " + run);
            await Task.Delay(50);
        }
    }
}
