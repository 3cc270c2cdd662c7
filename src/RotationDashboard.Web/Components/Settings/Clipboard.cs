using Microsoft.JSInterop;
using MudBlazor;

namespace RotationDashboard.Web.Components.Settings;

/// <summary>Copies a value through the browser's clipboard and says whether the browser allowed it.</summary>
public static class Clipboard
{
    public static async Task CopyAsync(IJSRuntime js, ISnackbar snackbar, string value)
    {
        var copied = await js.InvokeAsync<bool>("rotationDashboard.copyText", value);
        snackbar.Add(copied ? "Copied to the clipboard" : "The browser refused clipboard access", copied ? Severity.Success : Severity.Warning);
    }
}
