using RotationDashboard.Testing;
using System.Diagnostics;

namespace RotationDashboard.Web.Tests.Data;

/// <summary>The development data directory (database, root key, sandbox state) never reaches a publish output.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class PublishOutputTests
{
    [Fact]
    public async Task Dotnet_publish_output_contains_no_data_directory_or_its_json_files()
    {
        var project = Path.Combine(RepositoryRoot(), "src", "RotationDashboard.Web");
        var dataDirectory = Path.Combine(project, "data");
        var probe = Path.Combine(dataDirectory, $"publish-probe-{Guid.NewGuid():N}.json");
        var output = Path.Combine(Path.GetTempPath(), "rd-publish-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        await File.WriteAllTextAsync(probe, """{ "state": "local only" }""");
        try
        {
            // --no-build: the test run already built the app; this checks what publish copies.
            var (exitCode, log) = await RunAsync("dotnet", $"publish \"{project}\" -c Debug --no-build -o \"{output}\" -nologo -v q");
            Assert.True(exitCode == 0, log);

            Assert.False(Directory.Exists(Path.Combine(output, "data")), "publish output has a data directory");
            Assert.Empty(Directory.EnumerateFiles(output, "publish-probe-*.json", SearchOption.AllDirectories));
            Assert.True(File.Exists(Path.Combine(output, "RotationDashboard.Web.dll")));
        }
        finally
        {
            File.Delete(probe);
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RotationDashboard.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException("RotationDashboard.sln not found above the test output.");
    }

    private static async Task<(int ExitCode, string Log)> RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
