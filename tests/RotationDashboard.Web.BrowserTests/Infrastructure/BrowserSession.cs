using Microsoft.Playwright;

namespace RotationDashboard.Web.Tests.Infrastructure;

/// <summary>Debian's Chromium driven by Playwright (Playwright's own browser download cannot work here).</summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly string _userDataDir;

    private BrowserSession(IPlaywright playwright, IBrowserContext context, string userDataDir)
    {
        _playwright = playwright;
        Context = context;
        _userDataDir = userDataDir;
    }

    public IBrowserContext Context { get; }

    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <param name="timezoneId">The browser's IANA time zone (default: the machine's), to see local times differ from UTC.</param>
    public static async Task<BrowserSession> StartAsync(Uri baseAddress, string? timezoneId = null)
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium not found at {ChromiumPath}. Run tests/test.sh (it installs Debian's chromium) or set CHROMIUM_PATH.");
        }

        var playwright = await Playwright.CreateAsync();
        var userDataDir = Path.Combine(Path.GetTempPath(), "rd-chromium", Guid.NewGuid().ToString("N"));
        var context = await playwright.Chromium.LaunchPersistentContextAsync(userDataDir, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
            TimezoneId = timezoneId,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
        context.SetDefaultTimeout(15_000);
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = baseAddress.GetLeftPart(UriPartial.Authority) });
        return new BrowserSession(playwright, context, userDataDir);
    }

    /// <summary>Browser console errors and failed requests, reported when a wait times out.</summary>
    public static readonly System.Collections.Concurrent.ConcurrentQueue<string> Diagnostics = new();

    public async Task<IPage> NewPageAsync()
    {
        var page = await Context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning") Diagnostics.Enqueue($"console {message.Type}: {message.Text}");
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400) Diagnostics.Enqueue($"HTTP {response.Status}: {response.Request.Method} {response.Url}");
        };
        page.RequestFailed += (_, request) => Diagnostics.Enqueue($"request failed: {request.Method} {request.Url} {request.Failure}");
        return page;
    }

    /// <summary>Waits until the Blazor circuit is connected, so clicks reach the server.</summary>
    public static async Task WaitForCircuitAsync(IPage page)
    {
        try
        {
            // A busy two-core machine (a parallel build) can take a while to open the first circuit.
            await page.WaitForFunctionAsync("() => window.Blazor !== undefined && document.querySelector('.app-layout') !== null",
                null, new() { Timeout = 45_000 });
            // An interactive component marks the body once it has rendered on the live circuit.
            await page.WaitForSelectorAsync("body[data-circuit='live']", new() { State = WaitForSelectorState.Attached, Timeout = 45_000 });
        }
        catch (TimeoutException)
        {
            await ScreenshotAsync(page, "circuit-timeout-" + DateTime.UtcNow.Ticks);
            throw new TimeoutException($"The Blazor circuit did not go live on {page.Url}. Browser said: " +
                                       string.Join(" | ", Diagnostics.TakeLast(15)) + ". Page text: " + await page.InnerTextAsync("body"));
        }
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var dir = Environment.GetEnvironmentVariable("TEST_ARTIFACTS_DIR") is { Length: > 0 } d
            ? d
            : Path.Combine(AppContext.BaseDirectory, "test-artifacts");
        var shots = Path.Combine(dir, "screenshots");
        Directory.CreateDirectory(shots);
        await page.WaitForTimeoutAsync(350); // let dialog and notification animations settle, for a readable picture
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        _playwright.Dispose();
        try { Directory.Delete(_userDataDir, recursive: true); } catch (IOException) { }
    }
}
