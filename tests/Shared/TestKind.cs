namespace RotationDashboard.Testing;

/// <summary>
/// The kinds of test, as xunit traits, so each kind runs alone (<c>tests/test.sh --kind Unit</c>, or
/// <c>dotnet test --filter Kind=Unit</c>). Unit: in memory, no host or socket. Integration: a real host on a loopback
/// port, SQLite, the sandbox tenant over HTTP. Component: bUnit rendering one Razor component in memory with fakes.
/// Browser: Playwright driving Chromium through the dashboard.
/// </summary>
public static class TestKind
{
    public const string Trait = "Kind";
    public const string Unit = "Unit";
    public const string Component = "Component";
    public const string Integration = "Integration";
    public const string Browser = "Browser";
}
