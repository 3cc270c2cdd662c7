namespace RotationDashboard.Web.Tests.Infrastructure;

/// <summary>Browser tests run one at a time: two Chromiums on two cores make each other flaky.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}
