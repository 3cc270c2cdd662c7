using Microsoft.Extensions.Options;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Security;

public sealed class StartupValidationTests
{
    [Fact]
    public async Task Outside_development_missing_sign_in_settings_stop_the_app_naming_each_setting()
    {
        await using var app = new DashboardAppFactory { EnvironmentName = "Production" };
        app.Settings["Sandbox:Enabled"] = "false";

        var error = Assert.ThrowsAny<Exception>(() => app.StartKestrel());
        var validation = FindInner<OptionsValidationException>(error);

        Assert.NotNull(validation);
        foreach (var setting in new[] { "Authentication:Domain", "Authentication:ClientId", "Authentication:ClientSecret" })
        {
            Assert.Contains(setting, validation!.Message);
        }
    }

    [Fact]
    public async Task The_sandbox_is_refused_outside_development_unless_allowed()
    {
        await using var app = new DashboardAppFactory { EnvironmentName = "Production" };
        app.Settings["Sandbox:Enabled"] = "true";
        app.Settings["Authentication:UseSandbox"] = "true";

        var error = Assert.ThrowsAny<Exception>(() => app.StartKestrel());

        Assert.Contains("Sandbox:AllowOutsideDevelopment", error.ToString());
    }

    private static T? FindInner<T>(Exception? error) where T : Exception
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is T match) return match;
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (FindInner<T>(inner) is { } found) return found;
                }
            }
        }
        return null;
    }
}
