using RotationDashboard.Core.Common;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.Application.Connections;

// The narrow faces of the connection use cases the Connections pages call, so a component test can render the pages
// with fakes; the classes of the same names implement them and are registered as both.

/// <summary>Reads connections (implemented by <see cref="ConnectionQueries"/>).</summary>
public interface IConnectionReads
{
    Task<IReadOnlyList<ConnectionView>> ListAsync(CancellationToken cancellationToken = default);

    Task<ConnectionView?> GetAsync(Guid connectionId, CancellationToken cancellationToken = default);
}

/// <summary>"Test connection" on a saved connection (implemented by <see cref="ValidateConnection"/>).</summary>
public interface IValidateConnection
{
    Task<OperationResult<ConnectionTestResult>> ExecuteAsync(Guid connectionId, DashboardUser user, CancellationToken cancellationToken = default);
}

/// <summary>Deletes an unused connection (implemented by <see cref="DeleteConnection"/>).</summary>
public interface IDeleteConnection
{
    Task<OperationResult<ConnectionView>> ExecuteAsync(Guid connectionId, DashboardUser user, CancellationToken cancellationToken = default);
}

/// <summary>Tests a form's credentials before saving (implemented by <see cref="TestConnectionDraft"/>).</summary>
public interface ITestConnectionDraft
{
    Task<OperationResult<ConnectionTestResult>> ExecuteAsync(
        ConnectionInput draft, Guid? existingId, DashboardUser user, CancellationToken cancellationToken = default);
}

/// <summary>Creates a connection (implemented by <see cref="CreateConnection"/>).</summary>
public interface ICreateConnection
{
    Task<OperationResult<ConnectionView>> ExecuteAsync(ConnectionInput input, DashboardUser user, CancellationToken cancellationToken = default);
}

/// <summary>Changes a connection (implemented by <see cref="UpdateConnection"/>).</summary>
public interface IUpdateConnection
{
    Task<OperationResult<ConnectionView>> ExecuteAsync(
        Guid connectionId, ConnectionPatch patch, DashboardUser user, CancellationToken cancellationToken = default);
}
