using RotationDashboard.Core.Common;

namespace RotationDashboard.Web.Components.Settings;

/// <summary>
/// The errors a dialog shows: the domain's rules checked as the user types (for the fields they touched, or all of them
/// once they tried to save) and what the server said on the last save until that field changes.
/// </summary>
public sealed class FormErrors
{
    private readonly HashSet<string> _touched = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, string[]> _server = new Dictionary<string, string[]>();
    private ValidationErrors _live = new();
    private bool _submitted;

    public IReadOnlyDictionary<string, string[]> Visible { get; private set; } = new Dictionary<string, string[]>();

    /// <summary>A field changed: its server error is out of date and its rules apply from now on.</summary>
    public void Touch(string field, ValidationErrors live)
    {
        _touched.Add(field);
        _server = _server.Where(e => !e.Key.StartsWith(field, StringComparison.Ordinal)).ToDictionary(e => e.Key, e => e.Value);
        Refresh(live);
    }

    /// <summary>A save was attempted: every rule applies; true when the domain's rules pass.</summary>
    public bool Submit(ValidationErrors live)
    {
        _submitted = true;
        Refresh(live);
        return live.IsEmpty;
    }

    public void FromServer(IReadOnlyDictionary<string, string[]> errors)
    {
        _server = errors;
        Refresh(_live);
    }

    private void Refresh(ValidationErrors live)
    {
        _live = live;
        var visible = live.Where(e => _submitted || _touched.Any(t => e.Key.StartsWith(t, StringComparison.Ordinal)))
            .ToDictionary(e => e.Key, e => e.Value.ToArray());
        foreach (var (field, messages) in _server)
        {
            visible[field] = visible.TryGetValue(field, out var mine) ? [.. mine.Union(messages)] : messages;
        }

        Visible = visible;
    }
}
