using Microsoft.Extensions.Options;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Security;

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

    /// <summary>
    /// Required outside Development: the <c>__sandbox/*</c> admin endpoints then answer only requests that send it in
    /// the <c>X-Sandbox-Admin-Secret</c> header. In Development, without it, only direct loopback callers reach them.
    /// </summary>
    public string? AdminSecret { get; set; }

    /// <summary>
    /// Required outside Development: the address browsers reach the dashboard at (e.g. <c>https://demo.example.com</c>).
    /// The sandbox sign-in's /authorize, callback and logout addresses are built from it, never from the Host header,
    /// and its login app accepts only that callback. In Development, without it, the request's address is used.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// Where sandbox connections reach the emulated tenant instead of the one mounted in this app: the base URL of a
    /// stand-alone sandbox tenant (<c>SandboxHost</c>, e.g. <c>http://127.0.0.1:5090/</c>). Several dashboard instances
    /// (a PostgreSQL cluster in a demo or a test) then rotate against one tenant with one state. Unset: this app's own.
    /// </summary>
    public string? TenantUrl { get; set; }

    /// <summary><see cref="TenantUrl"/> as a base URI with a trailing slash, or null when not set.</summary>
    public Uri? SharedTenantBase => string.IsNullOrWhiteSpace(TenantUrl) ? null : new Uri(TenantUrl.Trim().TrimEnd('/') + "/");

    /// <summary><see cref="PublicBaseUrl"/> without a trailing slash, or null when not set.</summary>
    public string? PublicBase => string.IsNullOrWhiteSpace(PublicBaseUrl) ? null : PublicBaseUrl.Trim().TrimEnd('/');
}

/// <summary>A demo server (the sandbox outside Development) needs an admin secret and an explicit public address.</summary>
internal sealed class SandboxIntegrationOptionsValidator(IHostEnvironment environment) : IValidateOptions<SandboxIntegrationOptions>
{
    public ValidateOptionsResult Validate(string? name, SandboxIntegrationOptions options)
    {
        if (!options.Enabled) return ValidateOptionsResult.Success;

        var failures = new List<string>();
        var demo = !environment.IsDevelopment();
        if (string.IsNullOrEmpty(options.AdminSecret))
        {
            if (demo)
            {
                failures.Add("Sandbox:AdminSecret is required when the sandbox runs outside Development: its __sandbox/* endpoints " +
                             $"can break or reset the tenant. {BootstrapTokenStrength.HowToGenerate}");
            }
        }
        else if (BootstrapTokenStrength.FindWeakness(options.AdminSecret) is { } weakness)
        {
            failures.Add($"Sandbox:AdminSecret is too weak: {weakness}. {BootstrapTokenStrength.HowToGenerate}");
        }

        if (options.PublicBase is null)
        {
            if (demo)
            {
                failures.Add("Sandbox:PublicBaseUrl is required when the sandbox runs outside Development: the address browsers reach " +
                             "the dashboard at (e.g. https://demo.example.com), used for the sandbox sign-in instead of the Host header.");
            }
        }
        else if (!IsPublicBaseUrl(options.PublicBase))
        {
            failures.Add("Sandbox:PublicBaseUrl must be an absolute https:// address without query or fragment (e.g. " +
                         "https://demo.example.com); http:// only for localhost.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsPublicBaseUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) &&
        string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment) && string.IsNullOrEmpty(uri.UserInfo) &&
        (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));
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
            .Validate(o => string.IsNullOrWhiteSpace(o.TenantUrl) || (Uri.TryCreate(o.TenantUrl.Trim(), UriKind.Absolute, out var url) && url.Scheme is "http" or "https"),
                "Sandbox:TenantUrl must be an absolute http(s) address of a sandbox tenant.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SandboxIntegrationOptions>, SandboxIntegrationOptionsValidator>();

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
        builder.Services.AddOptions<SandboxTenantOptions>().Configure<IOptions<SandboxIntegrationOptions>, IOptions<SignInOptions>>(
            (tenant, sandbox, signIn) =>
            {
                tenant.AdminSecret = string.IsNullOrEmpty(sandbox.Value.AdminSecret) ? null : sandbox.Value.AdminSecret;
                // With a public address the login app accepts exactly the dashboard's callback and signed-out page
                // there, instead of any loopback address.
                if (sandbox.Value.PublicBase is { } publicBase)
                {
                    tenant.AllowedCallbackUrls = [publicBase + signIn.Value.CallbackPath];
                    tenant.AllowedLogoutUrls = [publicBase + AccountEndpoints.SignedOutPath];
                }
            });
        return builder;
    }

    public static WebApplication MapSandboxIfEnabled(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<SandboxIntegrationOptions>>().Value.Enabled)
        {
            app.MapSandboxTenant(MountPath);
        }
        else
        {
            // Without this, the fallback sign-in policy would answer its addresses with a redirect to sign in.
            app.Map(MountPath + "/{**rest}", (HttpContext context) =>
            {
                // A bare 404 for every method: the not-found page would refuse a re-executed POST without antiforgery (400).
                if (context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } statusPages)
                {
                    statusPages.Enabled = false;
                }
                return Results.NotFound();
            }).AllowAnonymous().ExcludeFromDescription();
        }
        return app;
    }
}
