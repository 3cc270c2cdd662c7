using RotationDashboard.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Services.Encryption;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Tests.Data;

/// <summary>
/// The start-up path the integrator wires in Program.cs: <c>AddRotationDashboardPersistence()</c> then
/// <c>InitializeDatabaseAsync()</c>, on a temp content root.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class PersistenceHostingTests : IDisposable
{
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("rotation-dashboard-host-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_contentRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Development_without_a_key_creates_an_owner_only_key_file_and_reuses_it()
    {
        string firstKeyId;
        Guid secretId;
        await using (var app = BuildApp("Development"))
        {
            await app.InitializeDatabaseAsync();
            firstKeyId = app.Services.GetRequiredService<RootKeyRing>().Current.Id;
            var store = app.Services.GetRequiredService<SecretStoreService>();
            var folder = await app.Services.GetRequiredService<SecretStoreService>().FindFolderAsync(
                (await store.ListProjectsAsync()).Single().Id, "dev", "/");
            secretId = (await store.CreateSecretAsync(folder!.Id, "K", "value-under-dev-key", Actor.User("ada"))).Value.Id;
        }

        var keyFile = Path.Combine(_contentRoot, "data", RootKeyRingLoader.DevelopmentKeyFileName);
        Assert.True(File.Exists(keyFile));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            Assert.Equal(
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
                File.GetUnixFileMode(Path.Combine(_contentRoot, "data")) & (UnixFileMode)0b111_111_111);
        }

        Assert.Equal(RootKey.FromBase64(File.ReadAllText(keyFile)).Id, firstKeyId);

        await using (var again = BuildApp("Development"))
        {
            await again.InitializeDatabaseAsync();
            Assert.Equal(firstKeyId, again.Services.GetRequiredService<RootKeyRing>().Current.Id);
            var revealed = await again.Services.GetRequiredService<SecretStoreService>().RevealAsync(secretId, null, Actor.User("ada"));
            Assert.Equal("value-under-dev-key", revealed.Value.Value);
        }
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task Outside_development_a_missing_key_stops_start_up_naming_the_setting(string environment)
    {
        await using var app = BuildApp(environment);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.InitializeDatabaseAsync());

        Assert.Contains("Encryption:RootKey", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Encryption__RootKey", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_contentRoot, "data", RootKeyRingLoader.DevelopmentKeyFileName)));
    }

    [Fact]
    public async Task An_invalid_key_is_rejected_without_echoing_it()
    {
        const string badKey = "c2hvcnQta2V5";
        await using var app = BuildApp("Production", new() { ["Encryption:RootKey"] = badKey });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.InitializeDatabaseAsync());

        Assert.Contains("Encryption:RootKey", ex.Message, StringComparison.Ordinal);
        Assert.Contains("exactly 32 bytes", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(badKey, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configured_keys_are_used_and_previous_keys_still_decrypt()
    {
        var oldKey = RootKey.Generate("2024-key");
        var newKey = RootKey.Generate();
        Guid secretId;
        await using (var app = BuildApp("Production", new()
                     {
                         ["Encryption:RootKey"] = oldKey.ExportBase64(),
                         ["Encryption:RootKeyId"] = "2024-key",
                     }))
        {
            await app.InitializeDatabaseAsync();
            var store = app.Services.GetRequiredService<SecretStoreService>();
            var folder = await store.FindFolderAsync((await store.ListProjectsAsync()).Single().Id, "prod", "/");
            secretId = (await store.CreateSecretAsync(folder!.Id, "K", "under-old-key", Actor.User("ada"))).Value.Id;
        }

        await using var rotated = BuildApp("Production", new()
        {
            ["Encryption:RootKey"] = newKey.ExportBase64(),
            ["Encryption:PreviousRootKeys:0"] = "2024-key:" + oldKey.ExportBase64(),
        });
        await rotated.InitializeDatabaseAsync();

        Assert.Equal(newKey.Id, rotated.Services.GetRequiredService<ISecretProtector>().CurrentKeyId);
        var revealed = await rotated.Services.GetRequiredService<SecretStoreService>().RevealAsync(secretId, null, Actor.User("ada"));
        Assert.Equal("under-old-key", revealed.Value.Value);
        Assert.False(File.Exists(Path.Combine(_contentRoot, "data", RootKeyRingLoader.DevelopmentKeyFileName)));
    }

    [Fact]
    public async Task Data_directory_and_connection_string_options_are_honoured()
    {
        var custom = Path.Combine(_contentRoot, "elsewhere", "custom.db");
        Directory.CreateDirectory(Path.GetDirectoryName(custom)!);
        await using (var app = BuildApp("Production", new()
                     {
                         ["Encryption:RootKey"] = RootKey.Generate().ExportBase64(),
                         ["Storage:DataDirectory"] = "state",
                     }))
        {
            await app.InitializeDatabaseAsync();
            Assert.True(File.Exists(Path.Combine(_contentRoot, "state", StorageOptions.DatabaseFileName)));
            var factory = app.Services.GetRequiredService<IDbContextFactory<RotationDashboardDbContext>>();
            await using var db = await factory.CreateDbContextAsync();
            Assert.Equal(3, await db.Environments.CountAsync());
        }

        await using (var app = BuildApp("Production", new()
                     {
                         ["Encryption:RootKey"] = RootKey.Generate().ExportBase64(),
                         ["ConnectionStrings:Default"] = $"Data Source={custom}",
                     }))
        {
            await app.InitializeDatabaseAsync();
            Assert.True(File.Exists(custom));
            Assert.True(Directory.Exists(Path.Combine(_contentRoot, "data")));
            Assert.False(File.Exists(Path.Combine(_contentRoot, "data", StorageOptions.DatabaseFileName)));
        }
    }

    [Fact]
    public async Task Initialize_is_idempotent_across_restarts()
    {
        var settings = new Dictionary<string, string?> { ["Encryption:RootKey"] = RootKey.Generate().ExportBase64() };
        for (var start = 0; start < 2; start++)
        {
            await using var app = BuildApp("Production", settings);
            await app.InitializeDatabaseAsync();
        }

        await using var check = BuildApp("Production", settings);
        var factory = check.Services.GetRequiredService<IDbContextFactory<RotationDashboardDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        Assert.Equal(1, await db.Projects.CountAsync());
        Assert.Equal(3, await db.Folders.CountAsync());
    }

    private WebApplication BuildApp(string environment, Dictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = environment,
            ContentRootPath = _contentRoot,
        });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.Logging.ClearProviders();
        builder.AddRotationDashboardPersistence();
        return builder.Build();
    }
}
