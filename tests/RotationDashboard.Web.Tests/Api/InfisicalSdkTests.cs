using RotationDashboard.Testing;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RotationDashboard.Core.Security;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Services.MachineIdentities;
using RotationDashboard.Web.Services.Secrets;
using Xunit.Abstractions;

namespace RotationDashboard.Web.Tests.Api;

/// <summary>
/// Infisical's own Node SDK (<c>@infisical/sdk</c>, pinned in tests/sdk/package.json; tests/test.sh installs it) against the
/// running dashboard: Universal Auth login and renew, listSecrets and getSecret with Infisical's fields, refusals, and a
/// staged rotation's CURRENT and NEXT entries changing while the SDK reads them, with zero failed reads.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
[Collection(ApiAppCollection.Name)]
public sealed class InfisicalSdkTests(ApiAppFactory app, ITestOutputHelper output)
{
    private const string StaticPath = "/sdk";
    private const string RotationPath = "/sdk-rotation";

    [Fact]
    public async Task Infisicals_node_sdk_logs_in_reads_secrets_and_sees_a_staged_rotations_current_and_next_change_with_zero_failed_reads()
    {
        var sdkDirectory = SdkDirectory();
        Assert.True(Directory.Exists(Path.Combine(sdkDirectory, "node_modules", "@infisical", "sdk")),
            $"Infisical's SDK is not installed: run 'npm ci' in {sdkDirectory} (bash tests/test.sh does).");

        var projectId = await app.ProjectIdAsync();
        await SecretAsync(StaticPath, "SDK_ALPHA", "alpha-value");
        await SecretAsync(StaticPath, "SDK_BETA", "beta-value");
        await SecretAsync(StaticPath + "/nested", "SDK_NESTED", "nested-value");
        var rotation = await ApiRotations.CreateAsync(app, "sdk-staged", "auth0-client-secret", app.NewApplication("sdk-staged"), RotationPath,
            """{"clientId": "SDK_CLIENT_ID", "clientSecret": "SDK_CLIENT_SECRET", "clientSecretNext": "SDK_CLIENT_SECRET_NEXT"}""",
            """ "strategy": "staged", "stagedLeadTimeSeconds": 1, """);
        var applicationId = await ApplicationOfAsync(projectId);

        var identities = app.Get<MachineIdentityService>();
        var identity = await identities.CreateAsync("sdk-reader", [
            new ApiTokenScope(ApiPermissions.SecretsRead, projectId, "dev", StaticPath),
            new ApiTokenScope(ApiPermissions.SecretsRead, projectId, "dev", RotationPath),
        ], null, null, ApiAppFactory.Admin);
        Assert.True(identity.Succeeded, identity.ToString());
        var secret = await identities.CreateClientSecretAsync(identity.Value.Id, "sdk test", null, ApiAppFactory.Admin);
        Assert.True(secret.Succeeded, secret.ToString());

        using var node = StartNode(sdkDirectory, new Dictionary<string, string>
        {
            ["DASHBOARD_URL"] = app.Address.ToString().TrimEnd('/'),
            ["CLIENT_ID"] = identity.Value.ClientId,
            ["CLIENT_SECRET"] = secret.Value.Issued.Value,
            ["PROJECT_ID"] = projectId.ToString(),
            ["ENVIRONMENT"] = "dev",
            ["STATIC_PATH"] = StaticPath,
            ["ROTATION_PATH"] = RotationPath,
            ["CURRENT_KEY"] = "SDK_CLIENT_SECRET",
            ["NEXT_KEY"] = "SDK_CLIENT_SECRET_NEXT",
        });
        var lines = new List<string>();
        var stderr = node.StandardError.ReadToEndAsync();
        try
        {
            await DriveAsync(node, lines, stderr, rotation, applicationId);
        }
        finally
        {
            // The script reads until told to stop: never leave it running (it would keep the server's connections open).
            if (!node.HasExited)
            {
                node.Kill(entireProcessTree: true);
            }

            output.WriteLine(string.Join("\n", lines));
        }
    }

    private async Task DriveAsync(Process node, List<string> lines, Task<string> stderr, string rotation, string applicationId)
    {
        async Task<string?> NextLineAsync()
        {
            var line = await node.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(90));
            if (line is not null) lines.Add(line);
            return line;
        }

        string? ready;
        while ((ready = await NextLineAsync()) is not null && ready != "READY")
        {
        }

        if (ready != "READY")
        {
            // stderr ends when the script does; read it only once it has failed.
            Assert.Fail($"The SDK script failed before the rotation:\n{string.Join("\n", lines)}\n{await stderr}");
        }
        var secretBefore = app.Sandbox.GetClientSecret(applicationId);
        for (var i = 0; i < 2; i++)
        {
            await ApiRotations.RotateAndWaitAsync(app, "auth0-client-secret", rotation);
        }

        await Task.Delay(300);
        await node.StandardInput.WriteLineAsync("stop");
        await node.StandardInput.FlushAsync();
        string? summaryLine;
        while ((summaryLine = await NextLineAsync()) is not null && !summaryLine.StartsWith("SUMMARY ", StringComparison.Ordinal))
        {
        }

        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (node.ExitCode != 0 || summaryLine is null)
        {
            Assert.Fail($"node exited {node.ExitCode}:\n{string.Join("\n", lines)}\n{await stderr}");
        }

        var summary = JsonDocument.Parse(summaryLine!["SUMMARY ".Length..]).RootElement;
        Assert.Empty(summary.GetProperty("failures").EnumerateArray());
        Assert.True(summary.GetProperty("reads").GetInt32() > 20, summaryLine);
        // Two rotations: three CURRENT values, each new one first seen as NEXT during the overlap; NEXT empty at the end.
        var currents = summary.GetProperty("currents").EnumerateArray().Select(e => e.GetString()).ToList();
        var nexts = summary.GetProperty("nexts").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(3, currents.Count);
        Assert.True(summary.GetProperty("overlaps").GetInt32() > 0, summaryLine);
        Assert.Equal(2, nexts.Count);
        Assert.All(nexts, n => Assert.Contains(n, currents));
        Assert.Equal("", summary.GetProperty("finalNext").GetString());
        var secretAfter = app.Sandbox.GetClientSecret(applicationId)!;
        Assert.NotEqual(secretBefore, secretAfter);
        Assert.Equal(Fingerprint(secretAfter), summary.GetProperty("finalCurrent").GetString());
    }

    private static string Fingerprint(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..16];

    private async Task<string> ApplicationOfAsync(Guid projectId)
    {
        var reads = app.Get<ConsumerSecretReads>();
        var secrets = await reads.GetMappedSecretsAsync(projectId, "dev", RotationPath, ["SDK_CLIENT_ID"]);
        return secrets["SDK_CLIENT_ID"].Current!;
    }

    private async Task SecretAsync(string path, string key, string value)
    {
        await app.EnsureFolderAsync("dev", path);
        var store = app.Get<SecretStoreService>();
        var folder = await store.FindFolderAsync(await app.ProjectIdAsync(), "dev", path);
        if ((await store.ListSecretsAsync(folder!.Id)).All(s => s.Key != key))
        {
            Assert.True((await store.CreateSecretAsync(folder.Id, key, value, ApiAppFactory.Admin.Actor)).Succeeded);
        }
    }

    private static Process StartNode(string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("node", "infisical-sdk.test.mjs")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
    }

    /// <summary>tests/sdk in the repository this test was built from.</summary>
    private static string SdkDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RotationDashboard.sln")))
            {
                return Path.Combine(directory.FullName, "tests", "sdk");
            }
        }

        throw new InvalidOperationException("The repository root (RotationDashboard.sln) was not found above " + AppContext.BaseDirectory);
    }
}
