using MudBlazor;
using MudBlazor.Services;
using RotationDashboard.Auth0;
using RotationDashboard.Web.Api;
using RotationDashboard.Web.Api.Connections;
using RotationDashboard.Web.Api.Consumer;
using RotationDashboard.Web.Api.Infisical;
using RotationDashboard.Web.Api.Rotations;
using RotationDashboard.Web.Application.Dashboard;
using RotationDashboard.Web.Application.Rotations.Bulk;
using RotationDashboard.Web.Services.Rotations;
using RotationDashboard.Web.Components;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Hosting;
using RotationDashboard.Web.Notifications;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Security.Sessions;
using RotationDashboard.Web.Services.Connections;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<LocalServerAddress>();
builder.AddRotationDashboardPersistence();
builder.Services.AddAuth0Client(builder.Configuration.GetSection(Auth0ClientOptions.SectionName));
builder.AddConnections();
builder.Services.AddRotationEngine(builder.Configuration);
builder.Services.AddBulkRotations(builder.Configuration);
builder.AddNotificationsAndObservability();
string ResolveDataDirectory() => DatabaseLocation.Resolve(
    builder.Environment.ContentRootPath,
    builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions(),
    builder.Configuration.GetConnectionString("Default")).DataDirectory;
builder.AddSandboxIntegration(ResolveDataDirectory);
builder.Services.AddDashboardDataProtection();
builder.AddDashboardSignIn();
builder.AddHttpHardening();
builder.Services.AddSingleton<ConsumerReadAudit>();
builder.Services.AddInfisicalCompatibility();
builder.Services.AddApiDocumentation();
builder.Services.AddApiInputProblems();
builder.Services.AddApiProblemDetails();

builder.Services.AddAntiforgery(options => options.HeaderName = ApiAntiforgeryMiddleware.HeaderName);
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices(options =>
{
    // Bottom left: page actions (Rotate now, Delete, Save) sit at the top right and the wizard's buttons at the bottom right.
    options.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomLeft;
    options.SnackbarConfiguration.PreventDuplicates = false;
    options.SnackbarConfiguration.VisibleStateDuration = 6000;
    options.SnackbarConfiguration.ShowCloseIcon = true;
});
builder.Services.AddScoped<CurrentUserAccessor>();
builder.Services.AddDashboardUseCases();
builder.Services.AddScoped<BrowserTimeZone>();
// The wizard's seam spans the connection and rotation use cases, so it is added where both are.
builder.Services.AddSingleton<RotationDashboard.Web.Application.Rotations.IRotationWizardBackend, RotationDashboard.Web.Application.Rotations.RotationWizardBackend>();

var app = builder.Build();
await app.InitializeDatabaseAsync();
await app.EnsureSandboxConnectionAsync();
if (!app.Environment.IsDevelopment() && !string.IsNullOrEmpty(app.Configuration["Security:BootstrapToken"]))
{
    app.Logger.LogWarning("Security:BootstrapToken is set: it grants every API permission. Create scoped API tokens in " +
                          "Settings and remove the bootstrap token once set-up is done.");
}

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}
app.UseTransportHardening();
app.UseStatusCodePagesWithReExecute("/not-found");
app.UseApiProblemDetails();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.UseMiddleware<ApiAntiforgeryMiddleware>();

app.MapStaticAssets().AllowAnonymous();
app.MapGet("/health", () => Results.Ok(new { status = "ok" })).AllowAnonymous();
app.MapHealthAndMetrics();
app.MapAccountEndpoints();
app.MapSessionEndpoints();
app.MapProjectsApi();
app.MapAntiforgeryTokenEndpoint();
app.MapSandboxIfEnabled();
app.MapAuth0ConnectionApi();
app.MapAppConnectionApi();
app.MapSecretRotationApi();
app.MapConsumerSecretApi();
app.MapInfisicalCompatibilityApi();
app.MapApiDocumentation();
// The security headers' CSP already forbids framing ('none'); Blazor's own header would only add 'self'.
app.MapRazorComponents<App>().AddInteractiveServerRenderMode(server => server.ContentSecurityFrameAncestorsPolicy = null);

await app.RunAsync();

public partial class Program;
