using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.Application.Preferences;

public interface IThemePreferences
{
    /// <summary>The user's stored choice: true for dark, false for light, null when they never chose (or nobody is signed in).</summary>
    Task<bool?> GetDarkModeAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default);

    /// <summary>Remembers the choice; does nothing for someone who is not signed in.</summary>
    Task SaveDarkModeAsync(ClaimsPrincipal user, bool darkMode, CancellationToken cancellationToken = default);
}

/// <summary>Light or dark mode, remembered per signed-in user in <c>user_preferences</c>.</summary>
public sealed partial class ThemePreferences(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    TimeProvider timeProvider,
    ILogger<ThemePreferences> logger) : IThemePreferences
{
    public async Task<bool?> GetDarkModeAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (Key(user) is not { } subject)
        {
            return null;
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.UserPreferences.AsNoTracking()
            .Where(p => p.Subject == subject)
            .Select(p => (bool?)p.DarkMode)
            .SingleOrDefaultAsync(cancellationToken);
    }

    public async Task SaveDarkModeAsync(ClaimsPrincipal user, bool darkMode, CancellationToken cancellationToken = default)
    {
        if (Key(user) is not { } subject)
        {
            return;
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var now = timeProvider.GetUtcNow().UtcTicks;
        var dark = darkMode ? 1 : 0;
        // An upsert, so two tabs toggling at once cannot collide on the key.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "user_preferences" ("subject", "dark_mode", "updated_at") VALUES ({subject}, {dark}, {now})
            ON CONFLICT ("subject") DO UPDATE SET "dark_mode" = excluded."dark_mode", "updated_at" = excluded."updated_at"
            """, cancellationToken);
        LogSaved(logger, darkMode ? "dark" : "light");
    }

    /// <summary>People only: an API token has no display.</summary>
    private static string? Key(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && user.FindFirstValue(DashboardUser.TokenNameClaim) is null
            ? user.FindFirstValue(ClaimTypes.NameIdentifier) ?? DashboardUser.UserName(user)
            : null;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Saved the signed-in user's theme choice: {Mode}")]
    private static partial void LogSaved(ILogger logger, string mode);
}
