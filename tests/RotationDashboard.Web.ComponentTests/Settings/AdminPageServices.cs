using AngleSharp.Dom;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RotationDashboard.Web.Hosting;

namespace RotationDashboard.Web.ComponentTests.Settings;

/// <summary>What the admin pages (settings, audit log, notifications) need around them besides their use cases.</summary>
internal static class AdminPageServices
{
    public static void AddAdminPageServices(this IServiceCollection services)
    {
        services.AddScoped<BrowserTimeZone>();
        services.TryAddSingleton(TimeProvider.System);
    }

    /// <summary>The one button whose text is exactly <paramref name="text"/>.</summary>
    public static IElement Button<T>(this IRenderedComponent<T> rendered, string text)
        where T : Microsoft.AspNetCore.Components.IComponent =>
        rendered.FindAll("button").ButtonNamed(text);

    public static IElement ButtonNamed(this IEnumerable<IElement> buttons, string text) => buttons.Single(b => b.TextContent.Trim() == text);
}
