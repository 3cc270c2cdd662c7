using Microsoft.JSInterop;

namespace RotationDashboard.Web.Hosting;

/// <summary>
/// The admin's time zone, read from the browser once per circuit. Until it is known (prerendering), times show in UTC.
/// </summary>
public sealed class BrowserTimeZone
{
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public bool IsKnown { get; private set; }

    public event Action? Changed;

    public DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    public string DisplayName => IsKnown ? Zone.Id : "UTC";

    public async Task InitializeAsync(IJSRuntime js)
    {
        if (IsKnown) return;
        var id = await js.InvokeAsync<string?>("rotationDashboard.timeZone");
        if (!string.IsNullOrEmpty(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone))
        {
            Zone = zone;
        }
        IsKnown = true;
        Changed?.Invoke();
    }
}
