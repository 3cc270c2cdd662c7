using RotationDashboard.Core.Rotations;
using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Connections;

namespace RotationDashboard.Web.ComponentTests.Connections;

/// <summary>The small pieces: the status badge, the test result and the labelled field.</summary>
[Trait(TestKind.Trait, TestKind.Component)]
public sealed class ConnectionPartsTests : ConnectionComponentTest
{
    [Theory]
    [InlineData(null, "Not tested")]
    [InlineData(true, "Connected")]
    [InlineData(false, "Failed")]
    public void The_status_badge_names_the_last_verdict(bool? lastOk, string label)
    {
        var badge = Render<ConnectionStatusBadge>(p => p.Add(b => b.Connection, FakeConnectionUseCases.View("tenant", lastOk)));

        Assert.Equal(label, badge.Find("[data-testid=connection-status-badge]").TextContent.Trim());
        Assert.Equal(lastOk is null, !badge.Markup.Contains("tested ", StringComparison.Ordinal));
    }

    [Fact]
    public void The_status_badge_lists_each_rotation_type_that_lacks_scopes_with_the_scopes_in_its_tooltip()
    {
        var badge = Render<ConnectionStatusBadge>(p => p.Add(b => b.Connection,
            FakeConnectionUseCases.View("tenant", lastOk: true, missing: FakeConnectionUseCases.JwtScopesMissing)));

        Assert.Equal("Missing scopes", badge.Find("[data-testid=connection-status-badge]").TextContent.Trim());
        var missing = Assert.Single(badge.FindAll("[data-testid=missing-scopes]"));
        Assert.Equal("Private Key JWT: 2 scopes missing", missing.TextContent.Trim());
        Assert.Equal("Missing: create:client_credentials, update:client_credentials", missing.GetAttribute("title"));
    }

    [Fact]
    public void A_failed_test_result_shows_Auth0s_answer_only()
    {
        var result = Render<ConnectionTestResultView>(p => p.Add(r => r.Result, FakeConnectionUseCases.Result(ok: false)));

        Assert.Equal("false", result.Find("[data-testid=test-result]").GetAttribute("data-ok"));
        Assert.Contains("Connection failed", result.Markup);
        Assert.Equal("Auth0 rejected the client ID or secret (401).", result.Find("[data-testid=test-result-message]").TextContent);
        Assert.Empty(result.FindAll("[data-testid=scope-row]"));
    }

    [Fact]
    public void A_passed_test_result_says_per_rotation_type_what_is_ready_and_what_is_missing()
    {
        var result = Render<ConnectionTestResultView>(p => p.Add(r => r.Result,
            FakeConnectionUseCases.Result(ok: true, missing: FakeConnectionUseCases.JwtScopesMissing)));

        Assert.Equal("true", result.Find("[data-testid=test-result]").GetAttribute("data-ok"));
        Assert.Contains("Connected, with missing scopes", result.Markup);
        var rows = result.FindAll("[data-testid=scope-row]").Select(r => r.TextContent.Trim()).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains(rows, r => r.StartsWith("Client secret rotations", StringComparison.Ordinal) && r.EndsWith("ready", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("Private Key JWT rotations", StringComparison.Ordinal) && r.Contains("create:client_credentials", StringComparison.Ordinal));
        Assert.Contains("Grant the missing scopes in Auth0", result.Markup);
        Assert.Contains("update:client_keys", result.Find(".conn-granted").TextContent);
    }

    [Fact]
    public void A_field_shows_its_hint_until_it_has_an_error_which_is_announced()
    {
        var field = Render<Field>(p => p.Add(f => f.Label, "Rotation interval (days)").Add(f => f.Hint, "Between 1 and 365.")
            .AddChildContent("<input id=\"interval\" />"));

        var group = field.Find("[role=group]");
        Assert.Equal("Rotation interval (days)", field.Find($"#{group.GetAttribute("aria-labelledby")}").TextContent.Trim());
        Assert.Contains("Between 1 and 365.", field.Markup);
        Assert.Empty(field.FindAll("[data-testid=field-error]"));

        field.Render(p => p.Add(f => f.Error, "Must be at least 1."));

        var error = field.Find("[data-testid=field-error]");
        Assert.Equal("Must be at least 1.", error.TextContent.Trim());
        Assert.Equal("alert", error.GetAttribute("role"));
        Assert.DoesNotContain("Between 1 and 365.", field.Markup);
    }
}
