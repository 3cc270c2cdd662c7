using Microsoft.Playwright;

namespace RotationDashboard.Web.Tests.Browser;

internal static class MudSelectPicking
{
    /// <summary>Opens a select (or an autocomplete's list) and picks the option with exactly this text, as a person would.</summary>
    public static async Task ChooseAsync(this IPage page, ILocator select, string text)
    {
        await select.ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = text, Exact = true }).ClickAsync();
        await Assertions.Expect(select).ToHaveTextAsync(text); // the choice reached the server and came back
    }

    /// <summary>The open dialog's button with this name (confirmations have no test ids of their own).</summary>
    public static ILocator DialogButton(this IPage page, string name) =>
        page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = name, Exact = true });
}
