using RotationDashboard.Core.Rotations;
using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Rotations.Detail;

namespace RotationDashboard.Web.ComponentTests.Rotations.Detail;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class RunHistoryTests : DetailTestContext
{
    private readonly Guid _rotationId = Guid.NewGuid();

    [Fact]
    public void Loading_then_empty()
    {
        Reads.Gate = new TaskCompletionSource();
        var history = Render<RunHistory>(p => p.Add(x => x.RotationId, _rotationId));
        Assert.NotNull(history.Find("[aria-label='Loading runs']"));

        Reads.Gate.SetResult();

        history.WaitForAssertion(() => Assert.Equal("No runs yet.", history.Find("[data-testid=run-history-empty]").TextContent));
    }

    [Fact]
    public void A_failed_read_says_so_instead_of_the_table()
    {
        Reads.HistoryError = new InvalidOperationException("database is locked");

        var history = Render<RunHistory>(p => p.Add(x => x.RotationId, _rotationId));

        Assert.Contains("could not be read", history.Find("[data-testid=run-history-error]").TextContent);
        Assert.DoesNotContain("database is locked", history.Markup);
    }

    [Fact]
    public void Rows_carry_their_run_and_outcome_and_expand_to_their_steps()
    {
        var failed = DetailData.Run(_rotationId, RunStatus.Failed, succeededSteps: 2, message: "Auth0 answered 503", attempt: 2);
        var succeeded = DetailData.Run(_rotationId, RunStatus.Succeeded, succeededSteps: 6);
        Reads.History = [failed, succeeded];

        var history = Render<RunHistory>(p => p.Add(x => x.RotationId, _rotationId));

        var rows = history.FindAll("tr[data-run]");
        Assert.Equal([failed.Id.ToString(), succeeded.Id.ToString()], rows.Select(r => r.GetAttribute("data-run")));
        Assert.Equal(["Failed", "Succeeded"], history.FindAll("[data-testid=run-outcome]").Select(o => o.TextContent.Trim()));
        Assert.Empty(history.FindAll("[data-testid=run-detail]"));

        var toggle = history.Find($"tr[data-run='{failed.Id}'] [data-testid=run-toggle]");
        Assert.Equal("Show steps", toggle.GetAttribute("aria-label"));
        toggle.Click();

        var detail = history.Find("[data-testid=run-detail]");
        Assert.Single(detail.QuerySelectorAll("[data-testid=run-step][data-status=Failed]"));
        Assert.Contains("Resumed once", detail.TextContent);
        Assert.Equal("true", history.Find($"tr[data-run='{failed.Id}'] [data-testid=run-toggle]").GetAttribute("aria-expanded"));
        Assert.Contains("Page 1 of 1 (2 runs)", history.Find("[data-testid=run-history-summary]").TextContent);
    }

    [Fact]
    public void More_than_a_page_of_runs_pages_in_the_query()
    {
        Reads.History = Enumerable.Range(0, 12).Select(_ => DetailData.Run(_rotationId, RunStatus.Succeeded, succeededSteps: 6)).ToList();
        var history = Render<RunHistory>(p => p.Add(x => x.RotationId, _rotationId));
        Assert.Equal(RunHistory.PageSize, history.FindAll("tr[data-run]").Count);

        history.Find("[aria-label='Next page']").Click();

        history.WaitForAssertion(() => Assert.Equal(2, history.FindAll("tr[data-run]").Count));
        Assert.Equal((RunHistory.PageSize, RunHistory.PageSize), Reads.HistoryReads[^1]);
        Assert.Contains("Page 2 of 2 (12 runs)", history.Find("[data-testid=run-history-summary]").TextContent);
    }
}
