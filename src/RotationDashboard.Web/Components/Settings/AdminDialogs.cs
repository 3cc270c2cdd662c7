using MudBlazor;

namespace RotationDashboard.Web.Components.Settings;

/// <summary>How the admin pages open their dialogs: forms that a stray click cannot close, and confirmations.</summary>
public static class AdminDialogs
{
    /// <summary>A form or a value shown once: closing it by a click beside it would lose what was typed or shown.</summary>
    public static DialogOptions Form => new() { MaxWidth = MaxWidth.Small, FullWidth = true, BackdropClick = false, CloseButton = true };

    /// <summary>Asks before something that cannot be undone; true when the admin confirmed.</summary>
    public static async Task<bool> ConfirmAsync(this IDialogService dialogs, string title, string message, string confirm)
    {
        var answer = await dialogs.ShowMessageBoxAsync(title, message, yesText: confirm, cancelText: "Keep it",
            options: new DialogOptions { MaxWidth = MaxWidth.ExtraSmall, FullWidth = true });
        return answer == true;
    }
}
