using RotationDashboard.Testing;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Projects;

namespace RotationDashboard.Core.Tests.Projects;

[Trait(TestKind.Trait, TestKind.Unit)]
public class FolderPathTests
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("  /  ", "/")]
    [InlineData("//", "/")]
    [InlineData("/payments", "/payments")]
    [InlineData("/payments/", "/payments")]
    [InlineData("payments", "/payments")]
    [InlineData("/payments/eu_west-1", "/payments/eu_west-1")]
    public void Normalises_valid_paths(string input, string expected)
    {
        Assert.True(FolderPath.TryNormalize(input, out var normalized, out var error), error);
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData(null, "required")]
    [InlineData("", "required")]
    [InlineData("/a//b", "empty segments")]
    [InlineData("/a/../b", "\"..\"")]
    [InlineData("/./a", "\".\"")]
    [InlineData("/pay ments", "can only contain")]
    [InlineData("/pay:ments", "can only contain")]
    [InlineData("\\payments", "forward slashes")]
    public void Rejects_invalid_paths_with_a_reason(string? input, string reason)
    {
        Assert.False(FolderPath.TryNormalize(input, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
        var ex = Assert.Throws<DomainValidationException>(() => FolderPath.Normalize(input));
        Assert.True(ex.Errors.ContainsKey("path"));
    }

    [Fact]
    public void Ancestors_and_containment()
    {
        Assert.Equal(["/", "/a", "/a/b"], FolderPath.SelfAndAncestors("/a/b"));
        Assert.Equal(["/"], FolderPath.SelfAndAncestors("/"));
        Assert.Null(FolderPath.Parent("/"));
        Assert.Equal("/", FolderPath.Parent("/a"));
        Assert.True(FolderPath.IsSameOrBelow("/a/b", "/a"));
        Assert.True(FolderPath.IsSameOrBelow("/a", "/"));
        Assert.False(FolderPath.IsSameOrBelow("/ab", "/a"));
    }

    [Fact]
    public void Folder_and_default_environments()
    {
        var folder = Folder.Create(Guid.NewGuid(), "payments/eu/", DateTimeOffset.UnixEpoch);
        Assert.Equal("/payments/eu", folder.Path);
        Assert.Equal("eu", folder.Name);
        Assert.True(Folder.CreateRoot(Guid.NewGuid(), DateTimeOffset.UnixEpoch).IsRoot);

        var environments = ProjectEnvironment.CreateDefaults(Guid.NewGuid());
        Assert.Equal(["dev", "staging", "prod"], environments.Select(e => e.Slug));
        Assert.Equal(["Development", "Staging", "Production"], environments.Select(e => e.Name));
        Assert.Equal([0, 1, 2], environments.Select(e => e.Position));
        Assert.Throws<DomainValidationException>(() => Project.Create("", "Not A Slug", DateTimeOffset.UnixEpoch));
    }
}
