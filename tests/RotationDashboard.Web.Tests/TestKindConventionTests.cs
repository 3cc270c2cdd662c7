using RotationDashboard.Testing;

namespace RotationDashboard.Web.Tests;

/// <summary>Every test class says its kind, so <c>tests/test.sh --kind …</c> never silently skips one.</summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class TestKindConventionTests
{
    [Fact]
    public void Every_test_file_of_every_test_project_declares_a_kind_trait()
    {
        var testsDirectory = Path.Combine(RepositoryRoot(), "tests");
        var untagged = Directory.EnumerateFiles(testsDirectory, "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(testsDirectory, "*.razor", SearchOption.AllDirectories))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                           && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(path =>
            {
                var text = File.ReadAllText(path);
                return (text.Contains("[Fact", StringComparison.Ordinal) || text.Contains("[Theory", StringComparison.Ordinal))
                       && !text.Contains("[Trait(TestKind.Trait, TestKind.", StringComparison.Ordinal);
            })
            .Select(path => Path.GetRelativePath(testsDirectory, path))
            .ToList();

        Assert.True(untagged.Count == 0, "Test files without [Trait(TestKind.Trait, TestKind.…)]: " + string.Join(", ", untagged));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RotationDashboard.sln"))) return directory.FullName;
        }

        throw new InvalidOperationException("The repository root (RotationDashboard.sln) was not found above " + AppContext.BaseDirectory);
    }
}
