namespace RotationDashboard.Web.Hosting;

/// <summary>Where the database, the development root key and the sandbox state live (<c>Storage:DataDirectory</c>).</summary>
public static class DataDirectory
{
    public static string Resolve(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration["Storage:DataDirectory"];
        var path = string.IsNullOrWhiteSpace(configured) ? "data" : configured;
        var full = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(environment.ContentRootPath, path));
        Directory.CreateDirectory(full);
        return full;
    }
}
