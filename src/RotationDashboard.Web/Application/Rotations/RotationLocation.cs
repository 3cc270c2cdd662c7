using RotationDashboard.Web.Application.Common;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Application.Rotations;

/// <summary>Where a rotation is, for the permission check (a token may be limited to a project, environment and path).</summary>
internal static class RotationLocation
{
    public static ResourceLocation? Of(RotationView? view) =>
        view is null ? null : new ResourceLocation(view.ProjectId, view.Environment.Slug, view.Folder.Path);

    public static ResourceLocation Of(CreateRotationRequest request) =>
        new(request.Settings.ProjectId, request.Environment.Trim(), request.SecretPath);
}
