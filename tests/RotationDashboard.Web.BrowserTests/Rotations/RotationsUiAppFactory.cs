using System.Security.Claims;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Playwright;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Application.Connections;
using RotationDashboard.Web.Application.Rotations;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Rotations;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.RotationsUi;

/// <summary>
/// The test host with the engine tuned for fast runs that give up at once (one attempt per step, one HTTP retry,
/// short verify window), so a fault a browser test injects shows as a failed run within seconds.
/// </summary>
public sealed class RotationsUiAppFactory : DashboardAppFactory
{
    /// <summary>Headless Chromium runs in this zone (UTC+5:30, no daylight saving time): local and UTC times differ by a fixed amount.</summary>
    public const string BrowserTimeZone = "Asia/Kolkata";

    public RotationsUiAppFactory()
    {
        UseFastEngine();
        Settings["Sandbox:PropagationWindowSeconds"] = "0";
        Settings["Sandbox:Plan"] = "Unlimited";
        Settings["RotationEngine:VerifyTimeout"] = "00:00:02";
        Settings["RotationEngine:VerifyMaxDelay"] = "00:00:00.200";
        Settings["RotationEngine:TransientRetryAttempts"] = "1";
        Settings["RotationEngine:TransientRetryMaxDelay"] = "00:00:00.100";
        Settings["Auth0Client:MaxRetryDelay"] = "00:00:00.050";
        Settings["Auth0Client:MaxRetryAttempts"] = "1";
        Settings.Remove("Auth0Client:RequestTimeout");
        Settings.Remove("Auth0Client:MaxConcurrentRequestsPerTenant");
        StartKestrel();
    }

    public RotationQueries Rotations => Get<RotationQueries>();

    public CreateRotation CreateRotation => Get<CreateRotation>();

    public UpdateRotation UpdateRotation => Get<UpdateRotation>();

    public DeleteRotation DeleteRotation => Get<DeleteRotation>();

    public RotateNow RotateNow => Get<RotateNow>();

    public RevealCredentials RevealCredentials => Get<RevealCredentials>();

    /// <summary>A rotation made through the service, as another admin (or the API) would, in the app the browser sees.</summary>
    public async Task<RotationView> CreateRotationAsync(
        string name,
        string clientId,
        RotationStrategy strategy,
        string environment = "dev",
        bool autoRotation = true,
        SecretsMapping? mapping = null,
        int interval = 30,
        TimeSpan? leadTime = null)
    {
        var type = strategy == RotationStrategy.PrivateKeyJwt ? RotationType.Auth0PrivateKeyJwt : RotationType.Auth0ClientSecret;
        var result = await CreateRotation.ExecuteAsync(new CreateRotationRequest
        {
            Settings = new RotationSettings
            {
                Name = name,
                Type = type,
                Strategy = strategy,
                ConnectionId = await SandboxConnectionIdAsync(),
                ProjectId = await DefaultProjectIdAsync(),
                IsAutoRotationEnabled = autoRotation,
                RotationInterval = interval,
                RotateAtUtc = new RotateAtUtc(3, 0),
                Parameters = new RotationParameters(clientId),
                SecretsMapping = mapping ?? new SecretsMapping($"{Prefix(name)}_CLIENT_ID",
                    ClientSecret: type == RotationType.Auth0ClientSecret ? $"{Prefix(name)}_CLIENT_SECRET" : null,
                    PrivateKey: type == RotationType.Auth0PrivateKeyJwt ? $"{Prefix(name)}_PRIVATE_KEY" : null,
                    KeyId: type == RotationType.Auth0PrivateKeyJwt ? $"{Prefix(name)}_KEY_ID" : null),
                StagedLeadTime = leadTime ?? TimeSpan.FromSeconds(1),
                RetireGracePeriod = TimeSpan.Zero,
            },
            Environment = environment,
            SecretPath = "/",
        }, Ada);
        Assert.True(result.Succeeded, result.ToString());
        return result.Value;
    }

    private static string Prefix(string name) => name.Replace('-', '_').ToUpperInvariant();
}

/// <summary>Page helpers for the rotation screens.</summary>
internal static class RotationPages
{
    /// <summary>Signs in and opens <paramref name="path"/> with a live circuit, in the browser's own time zone.</summary>
    public static async Task<IPage> OpenAsync(BrowserSession browser, string email, string path)
    {
        var page = await browser.NewPageAsync();
        await SandboxSignIn.SignInAsync(page, email, path);
        await BrowserSession.WaitForCircuitAsync(page);
        return page;
    }

    /// <summary>A settled, full-height picture: notifications dismissed, animations done.</summary>
    public static async Task ScreenshotAsync(IPage page, string name, bool keepNotifications = false)
    {
        if (!keepNotifications)
        {
            // The snackbar's messages (each has a close button) would sit over the picture.
            var snackbars = page.Locator("#mud-snackbar-container [role=alert], #mud-snackbar-container > div");
            foreach (var close in await page.Locator("#mud-snackbar-container button").AllAsync())
            {
                await close.ClickAsync();
            }

            await Assertions.Expect(snackbars).ToHaveCountAsync(0);
        }

        await page.WaitForFunctionAsync("() => document.getAnimations().filter(a => a.effect?.getComputedTiming().iterations !== Infinity).every(a => a.playState !== 'running')");
        var height = await page.EvaluateAsync<int>("() => Math.max(900, (document.querySelector('.app-main')?.scrollHeight || 0) + 120)");
        await page.SetViewportSizeAsync(1400, height);
        await BrowserSession.ScreenshotAsync(page, name);
        await page.SetViewportSizeAsync(1400, 900);
    }

    /// <summary>Types into an input and leaves it, for inputs that bind on change.</summary>
    public static async Task EnterAsync(this IPage page, string testId, string value)
    {
        var input = page.GetByTestId(testId);
        await input.FillAsync(value);
        await input.PressAsync("Tab");
    }

    public static ILocator Step(this IPage page, int index) => page.GetByTestId($"wizard-step-{index}");

    public static async Task NextAsync(this IPage page, int expectStep)
    {
        await page.GetByTestId("wizard-next").ClickAsync();
        await Assertions.Expect(page.Step(expectStep)).ToBeVisibleAsync();
    }
}
