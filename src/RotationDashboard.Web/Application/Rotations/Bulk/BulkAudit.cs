namespace RotationDashboard.Web.Application.Rotations.Bulk;

/// <summary>Audit names of bulk operations (the start with its set, the end with its counts; never a credential).</summary>
public static class BulkAudit
{
    public const string TargetType = "bulk-operation";
    public const string Rotate = "rotation.bulk-rotate";
    public const string Onboard = "rotation.bulk-onboard";
}
