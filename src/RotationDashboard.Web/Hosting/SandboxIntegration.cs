using RotationDashboard.Sandbox;

namespace RotationDashboard.Web.Hosting;

/// <summary>Settings of the built-in sandbox tenant (section "Sandbox"). On by default in Development only.</summary>
public sealed class SandboxIntegrationOptions
{
    public const string SectionName = "Sandbox";

    /// <summary>Mount the emulated Auth0 tenant inside the dashboard at <see cref="SandboxIntegration.MountPath"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>The sandbox is refused outside Development unless this is set (demo servers).</summary>
    public bool AllowOutsideDevelopment { get; set; }

    /// <summary>Seconds during which both the old and the new client secret work after a change (Auth0: up to 30).</summary>
    public double PropagationWindowSeconds { get; set; } = 5;

    /// <summary>Management API rate limit preset: Free (2/s), Enterprise (16/s) or Unlimited.</summary>
    public string Plan { get; set; } = "Enterprise";

    /// <summary>Keep the sandbox tenant's state in the data directory so a development run survives restarts.</summary>
    public bool PersistState { get; set; } = true;
}

public static class SandboxIntegration
{
    public const string MountPath = "/sandbox-tenant";

    /// <summary>The sandbox's application for the dashboard's own sign-in (sandbox only; not a real credential).</summary>
    public const string LoginClientId = SandboxSeed.LoginClientId;
    public const string LoginClientSecret = SandboxSeed.DefaultLoginClientSecret;

    /// <summary>Mounts the emulated Auth0 tenant when <c>Sandbox:Enabled</c> is set; refuses it outside Development unless allowed.</summary>
    public static WebApplicationBuilder AddSandboxIntegration(this WebApplicationBuilder builder, Func<string> dataDirectory)
    {
        var section = builder.Configuration.GetSection(SandboxIntegrationOptions.SectionName);
        builder.Services.AddOptions<SandboxIntegrationOptions>().Bind(section)
            .Validate(o => o.PropagationWindowSeconds is >= 0 and <= 120, "Sandbox:PropagationWindowSeconds must be between 0 and 120.")
            .Validate(o => Enum.TryParse<SandboxPlan>(o.Plan, ignoreCase: true, out _), "Sandbox:Plan must be Free, Enterprise or Unlimited.")
            .ValidateOnStart();

        var options = section.Get<SandboxIntegrationOptions>() ?? new SandboxIntegrationOptions();
        if (!options.Enabled) return builder;
        if (!builder.Environment.IsDevelopment() && !options.AllowOutsideDevelopment)
        {
            throw new InvalidOperationException(
                "Sandbox:Enabled is set outside Development. The sandbox tenant is for trying the product and for tests; " +
                "turn it off, or set Sandbox:AllowOutsideDevelopment=true to run a demo server on purpose.");
        }

        builder.Services.AddSandboxTenant(tenant =>
        {
            tenant.UsePlan(Enum.Parse<SandboxPlan>(options.Plan, ignoreCase: true));
            tenant.PropagationWindow = TimeSpan.FromSeconds(options.PropagationWindowSeconds);
            tenant.LoginClientSecret = LoginClientSecret;
            if (options.PersistState)
            {
                tenant.StateFilePath = Path.Combine(dataDirectory(), "sandbox-tenant.json");
            }
        });
        return builder;
    }

    public static WebApplication MapSandboxIfEnabled(this WebApplication app)
    {
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SandboxIntegrationOptions>>().Value.Enabled)
        {
            app.MapSandboxTenant(MountPath);
        }
        return app;
    }
}
