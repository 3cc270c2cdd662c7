using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using MudBlazor;

namespace RotationDashboard.Web.Components.Shared;

/// <summary>
/// Turns a Material icon's ligature name (<c>travel_explore</c>), as the pages name icons, into MudBlazor's SVG
/// (<c>Icons.Material.Filled.TravelExplore</c>); an SVG passes through.
/// </summary>
public static class MaterialIcon
{
    private static readonly ConcurrentDictionary<string, string> Known = new(StringComparer.Ordinal);

    public static string Resolve(string? icon)
    {
        if (string.IsNullOrWhiteSpace(icon))
        {
            return Icons.Material.Filled.Inbox;
        }

        return icon.TrimStart().StartsWith('<') ? icon : Known.GetOrAdd(icon, Lookup);
    }

    private static string Lookup(string name)
    {
        var pascal = string.Concat(name.Split('_', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => char.ToUpper(part[0], CultureInfo.InvariantCulture) + part[1..]));
        var field = typeof(Icons.Material.Filled).GetField(pascal, BindingFlags.Public | BindingFlags.Static);
        return field?.GetValue(null) as string ?? Icons.Material.Filled.Inbox;
    }
}
