using RotationDashboard.Testing;
using System.Net;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Pages;

[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class PageRenderingTests : IClassFixture<DashboardAppFactory>, IAsyncLifetime
{
    private readonly DashboardAppFactory _app;
    private HttpClient _admin = null!;

    public PageRenderingTests(DashboardAppFactory app) => _app = app;

    public async Task InitializeAsync() =>
        _admin = await SandboxSignIn.CreateSignedInClientAsync(_app.StartKestrel(), SandboxSignIn.Admin);

    public Task DisposeAsync()
    {
        _admin.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("/", "Dashboard")]
    [InlineData("/rotations", "Rotations")]
    [InlineData("/connections", "Connections")]
    [InlineData("/secrets", "Secrets")]
    [InlineData("/audit", "Audit log")]
    [InlineData("/settings", "Settings")]
    [InlineData("/notifications", "Notifications")]
    public async Task Every_page_renders_with_its_heading(string path, string heading)
    {
        var response = await _admin.GetAsync(path.TrimStart('/'));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"<h1>{heading}</h1>", html);
        Assert.Contains("_framework/blazor.web.js", html);
    }

    [Fact]
    public async Task Unknown_address_gets_404_with_the_not_found_page()
    {
        var response = await _admin.GetAsync("no-such-page");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", html);
    }

    [Theory]
    [InlineData("/css/app.css")]
    [InlineData("/img/logo.svg")]
    [InlineData("/js/app.js")]
    [InlineData("/_content/MudBlazor/MudBlazor.min.js")]
    [InlineData("/_framework/blazor.web.js")]
    public async Task Static_assets_are_served_without_sign_in(string path)
    {
        using var anonymous = _app.CreateClient();
        var response = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
