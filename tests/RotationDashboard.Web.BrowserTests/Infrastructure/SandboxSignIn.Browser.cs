using Microsoft.Playwright;

namespace RotationDashboard.Web.Tests.Infrastructure;

public static partial class SandboxSignIn
{
    /// <summary>Signs in through the sandbox's /authorize page in a real browser and waits to be back in the dashboard.</summary>
    public static async Task SignInAsync(IPage page, string email, string path = "/")
    {
        await page.GotoAsync(path);
        await page.Locator($"button.user[data-email='{email}']").ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/sandbox-tenant/", StringComparison.Ordinal));
    }
}
