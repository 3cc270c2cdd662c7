using System.Collections;

namespace RotationDashboard.Core.Common;

/// <summary>
/// Per-field validation messages (field name → messages), in the shape the UI and RFC 7807
/// problem details expect. Field names use the API's camelCase JSON names, e.g. <c>rotateAtUtc.hours</c>.
/// Messages never echo a secret value.
/// </summary>
public sealed class ValidationErrors : IReadOnlyDictionary<string, IReadOnlyList<string>>
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public bool HasErrors => _errors.Count > 0;

    public int Count => _errors.Count;

    public IEnumerable<string> Keys => _errors.Keys;

    public IEnumerable<IReadOnlyList<string>> Values => _errors.Values;

    public IReadOnlyList<string> this[string key] => _errors[key];

    public ValidationErrors Add(string field, string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        ArgumentException.ThrowIfNullOrEmpty(message);
        if (!_errors.TryGetValue(field, out var messages))
        {
            messages = [];
            _errors[field] = messages;
        }

        if (!messages.Contains(message, StringComparer.Ordinal))
        {
            messages.Add(message);
        }

        return this;
    }

    public ValidationErrors AddRange(string field, IEnumerable<string> messages)
    {
        foreach (var message in messages)
        {
            Add(field, message);
        }

        return this;
    }

    public ValidationErrors Merge(ValidationErrors other)
    {
        foreach (var (field, messages) in other._errors)
        {
            AddRange(field, messages);
        }

        return this;
    }

    public bool ContainsKey(string key) => _errors.ContainsKey(key);

    public bool TryGetValue(string key, out IReadOnlyList<string> value)
    {
        if (_errors.TryGetValue(key, out var messages))
        {
            value = messages;
            return true;
        }

        value = [];
        return false;
    }

    /// <summary>The shape of <c>ValidationProblemDetails.Errors</c>.</summary>
    public IDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>Throws a <see cref="DomainValidationException"/> when any error was recorded.</summary>
    public void ThrowIfAny()
    {
        if (HasErrors)
        {
            throw new DomainValidationException(this);
        }
    }

    public IEnumerator<KeyValuePair<string, IReadOnlyList<string>>> GetEnumerator() =>
        _errors.Select(e => new KeyValuePair<string, IReadOnlyList<string>>(e.Key, e.Value)).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() =>
        string.Join("; ", _errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));

    public static ValidationErrors For(string field, string message) => new ValidationErrors().Add(field, message);
}
