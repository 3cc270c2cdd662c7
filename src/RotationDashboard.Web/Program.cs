using Radzen;
using RotationDashboard.Auth0;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Rotations;
using RotationDashboard.Web.Components;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Hosting;
using RotationDashboard.Web.Security;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<LocalServerAddress>();
builder.AddRotationDashboardPersistence();
builder.Services.AddAuth0Client(builder.Configuration.GetSection(Auth0ClientOptions.SectionName));
builder.Services.AddSingleton<IAuth0ConnectionResolver, Auth0ConnectionResolver>();
builder.Services.AddRotationEngine(builder.Configuration);
builder.AddSandboxIntegration(() => DatabaseLocation.Resolve(
    builder.Environment.ContentRootPath,
    builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions(),
    builder.Configuration.GetConnectionString("Default")).DataDirectory);
builder.AddDashboardSignIn();

builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddRadzenComponents();
builder.Services.AddScoped<CurrentUserAccessor>();

var app = builder.Build();
await app.InitializeDatabaseAsync();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}
app.UseStatusCodePagesWithReExecute("/not-found");
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets().AllowAnonymous();
app.MapGet("/health", () => Results.Ok(new { status = "ok" })).AllowAnonymous();
app.MapAccountEndpoints();
app.MapSandboxIfEnabled();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.RunAsync();

public partial class Program;
