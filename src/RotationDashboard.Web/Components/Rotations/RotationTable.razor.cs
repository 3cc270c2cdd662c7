namespace RotationDashboard.Web.Components.Rotations;

public sealed partial class RotationTable
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Loading a page of the rotation list failed")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Loading the connections for the rotation list's filter failed")]
    private static partial void LogConnectionsFailed(ILogger logger, Exception exception);
}
