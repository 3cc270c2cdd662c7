using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RotationDashboard.Web.Application.Connections;
using RotationDashboard.Web.ComponentTests.Infrastructure;
using RotationDashboard.Web.Components.Connections;
using RotationDashboard.Web.Hosting;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.ComponentTests.Connections;

/// <summary>
/// The Connections components' surroundings: the fake use cases, the real form rules (<see cref="ConnectionForms"/>)
/// with the sandbox enabled, and the current user. The application picker has its own owner and tests: stubbed here.
/// </summary>
public abstract class ConnectionComponentTest : ComponentTestContext
{
    protected ConnectionComponentTest()
    {
        Services.AddSingleton(Fake);
        Services.AddSingleton<IConnectionReads>(Fake);
        Services.AddSingleton<IValidateConnection>(Fake);
        Services.AddSingleton<IDeleteConnection>(Fake);
        Services.AddSingleton<ITestConnectionDraft>(Fake);
        Services.AddSingleton<ICreateConnection>(Fake);
        Services.AddSingleton<IUpdateConnection>(Fake);
        var sandbox = new SandboxConnections(Options.Create(new SandboxIntegrationOptions { Enabled = true }), new LocalServerAddress(new NoServer()));
        Services.AddSingleton(sandbox);
        Services.AddSingleton(new ConnectionForms(sandbox,
            new OutboundAddressPolicy(Options.Create(new ConnectionsOptions()), NullLogger<OutboundAddressPolicy>.Instance)));
        Services.AddSingleton(TimeProvider.System);
        ComponentFactories.AddStub<ApplicationPicker>(parameters => $"<div data-testid=\"application-picker-stub\">{parameters.Get(p => p.ConnectionId)}</div>");
    }

    protected FakeConnectionUseCases Fake { get; } = new();

    protected void SignInAdmin() => SignIn("Ada Admin", DashboardRoles.Admin);

    protected void SignInViewer() => SignIn("Vera Viewer", DashboardRoles.Viewer);

    /// <summary>A server that has not started: the sandbox's own address is not known yet, as during prerendering.</summary>
    private sealed class NoServer : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull =>
            Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
