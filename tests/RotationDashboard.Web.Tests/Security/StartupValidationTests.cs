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
    public async Task Outside_development_an_admin_must_be_configured_and_a_role_claim_needs_its_value()
    {
        await using var app = new DashboardAppFactory { EnvironmentName = "Production" };
        app.Settings["Sandbox:Enabled"] = "false";
        app.Settings["Authentication:Domain"] = "tenant.example.com";
        app.Settings["Authentication:ClientId"] = "client";
        app.Settings["Authentication:ClientSecret"] = "secret-value-for-the-test";

        var error = Assert.ThrowsAny<Exception>(() => app.StartKestrel());
        var validation = FindInner<OptionsValidationException>(error);

        Assert.NotNull(validation);
        Assert.Contains("No admin is configured: set Authentication:AdminEmails", validation!.Message);
        Assert.DoesNotContain("Authentication:ClientId", validation.Message);

        await using var halfRole = new DashboardAppFactory { EnvironmentName = "Production" };
        foreach (var (key, value) in app.Settings) halfRole.Settings[key] = value;
        halfRole.Settings["Authentication:AdminRoleClaim"] = "https://example.com/roles";
        var roleError = FindInner<OptionsValidationException>(Assert.ThrowsAny<Exception>(() => halfRole.StartKestrel()));
        Assert.Contains("AdminRoleClaim and Authentication:AdminRoleValue go together", roleError!.Message);
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
