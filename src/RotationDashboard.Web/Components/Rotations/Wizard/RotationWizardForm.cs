using Microsoft.AspNetCore.Components.Forms;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Application.Rotations;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Components.Rotations.Wizard;

/// <summary>
/// The state the wizard's step components share: the <see cref="RotationWizardModel"/>, an <see cref="EditContext"/>
/// whose messages are the model's own step checks (the domain's rules, for fields the user touched) and the
/// server's (database checks, the service's validation), and where the user is. Step components change fields
/// only through <see cref="Set"/>, which records the touch, drops the server's stale message and tells the host.
/// </summary>
public sealed class RotationWizardForm
{
    private readonly Func<TimeZoneInfo> _zone;
    private readonly Func<DateTimeOffset> _now;
    private readonly ValidationMessageStore _messages;
    private readonly HashSet<string> _touched = new(StringComparer.Ordinal);

    public RotationWizardForm(RotationWizardModel model, Func<TimeZoneInfo> zone, Func<DateTimeOffset> now)
    {
        Model = model;
        _zone = zone;
        _now = now;
        EditContext = new EditContext(model);
        _messages = new ValidationMessageStore(EditContext);
        EditContext.OnValidationRequested += (_, _) => Refresh();
        Reachable = model.IsEdit ? RotationWizardModel.ReviewStep : 0;
    }

    public RotationWizardModel Model { get; }

    public EditContext EditContext { get; }

    /// <summary>Raised when a step changed something the host shows (buttons, blocker, other steps).</summary>
    public event Action? Changed;

    public int Step { get; set; }

    /// <summary>The furthest step the user may enter by clicking its header.</summary>
    public int Reachable { get; set; }

    public string? FormError { get; set; }

    public bool TestingConnection { get; set; }

    public Dictionary<string, string[]> ServerErrors { get; private set; } = new(StringComparer.Ordinal);

    public IReadOnlyList<ConnectionView>? Connections { get; set; }

    public IReadOnlyList<ProjectSummary> Projects { get; set; } = [];

    public IReadOnlyList<EnvironmentSummary> Environments { get; private set; } = [];

    public IReadOnlyList<FolderSummary> Folders { get; private set; } = [];

    public TimeZoneInfo Zone => _zone();

    public DateTimeOffset Now => _now();

    public ConnectionView? SelectedConnection => Connections?.FirstOrDefault(c => c.Id == Model.ConnectionId);

    public bool IsTouched(string field) => _touched.Contains(field);

    public int CertificateDays =>
        (int)RotationRules.CertificateValidity(Model.RotationInterval ?? 1, Model.RetireGracePeriod ?? RotationRules.DefaultRetireGracePeriod).TotalDays;

    public ValidationErrors StepErrors(int step) => Model.Validate(step, SelectedConnection, Zone, Now);

    /// <summary>A field's message: the server's (or a database check's) first, else the step's own once touched.</summary>
    public string? Error(string field)
    {
        var messages = EditContext.GetValidationMessages(Field(field)).ToList();
        return messages.Count == 0 ? null : string.Join(" ", messages);
    }

    /// <summary>Whether Next may leave the current step: its own checks pass and no server message is pending on it.</summary>
    public bool CurrentStepValid => Step == RotationWizardModel.ReviewStep || Blocker is null;

    /// <summary>Why Next is disabled (shown next to it): the step's first problem, or the connection test under way.</summary>
    public string? Blocker
    {
        get
        {
            if (Step == RotationWizardModel.ReviewStep) return null;
            if (TestingConnection) return "Testing the connection…";
            var server = ServerErrors.Where(e => RotationWizardModel.StepOf(e.Key) == Step).SelectMany(e => e.Value).FirstOrDefault();
            if (server is not null) return server;
            var errors = StepErrors(Step);
            return errors.IsEmpty ? null : errors.First().Value[0];
        }
    }

    public bool HasServerErrors(int step) => ServerErrors.Keys.Any(k => RotationWizardModel.StepOf(k) == step);

    /// <summary>Applies a change to one field (named as the API names it) and revalidates.</summary>
    public void Set(string field, Action apply)
    {
        apply();
        _touched.Add(field);
        ServerErrors.Remove(field);
        FormError = null;
        ShrinkReach();
        EditContext.NotifyFieldChanged(Field(field));
        NotifyChanged();
    }

    /// <summary>A mapping name changed: the duplicate and conflict messages (on the whole mapping) go too.</summary>
    public void SetMapping(string field, Action apply)
    {
        _touched.Add("secretsMapping");
        ServerErrors.Remove("secretsMapping");
        Set(field, apply);
    }

    public void Touch(IEnumerable<string> fields)
    {
        foreach (var field in fields) _touched.Add(field);
        Refresh();
    }

    public void SetServerErrors(IReadOnlyDictionary<string, string[]> errors)
    {
        ServerErrors = errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        Refresh();
    }

    public void AddServerErrors(ValidationErrors errors)
    {
        foreach (var (key, messages) in errors) ServerErrors[key] = messages.ToArray();
        Refresh();
    }

    public void RemoveServerErrors(Func<string, bool> which)
    {
        foreach (var key in ServerErrors.Keys.Where(which).ToList()) ServerErrors.Remove(key);
        Refresh();
    }

    /// <summary>Recomputes the messages from the model (data loaded or a connection tested can change them too).</summary>
    public void Refresh()
    {
        _messages.Clear();
        foreach (var (field, messages) in ServerErrors)
        {
            _messages.Add(Field(field), messages);
        }

        for (var step = 0; step < RotationWizardModel.ReviewStep; step++)
        {
            foreach (var (field, messages) in StepErrors(step))
            {
                if (_touched.Contains(field) && !ServerErrors.ContainsKey(field))
                {
                    _messages.Add(Field(field), messages);
                }
            }
        }

        EditContext.NotifyValidationStateChanged();
    }

    public void NotifyChanged()
    {
        Refresh();
        Changed?.Invoke();
    }

    /// <summary>Steps after an invalid one cannot be entered by clicking their headers.</summary>
    private void ShrinkReach()
    {
        for (var step = 0; step < Reachable; step++)
        {
            if (!StepErrors(step).IsEmpty)
            {
                Reachable = Math.Max(step, Step);
                return;
            }
        }
    }

    // ---- Where the secrets go: project, environment and folder lists ----------------------------------------

    public async Task LoadEnvironmentsAsync(IRotationWizardBackend store, bool keepSelection)
    {
        Environments = Model.ProjectId is { } projectId ? await store.ListEnvironmentsAsync(projectId) : [];
        if (!keepSelection || Environments.All(e => e.Slug != Model.EnvironmentSlug))
        {
            Model.EnvironmentSlug = Environments.FirstOrDefault()?.Slug;
        }

        await LoadFoldersAsync(store, keepSelection);
    }

    public async Task LoadFoldersAsync(IRotationWizardBackend store, bool keepSelection)
    {
        var environment = Environments.FirstOrDefault(e => e.Slug == Model.EnvironmentSlug);
        Folders = environment is null ? [] : await store.ListFoldersAsync(environment.Id);
        if (!keepSelection || Folders.All(f => f.Path != Model.SecretPath))
        {
            Model.SecretPath = Folders.Any(f => f.Path == "/") ? "/" : Folders.FirstOrDefault()?.Path;
        }
    }

    private FieldIdentifier Field(string field) => new(Model, field);
}
