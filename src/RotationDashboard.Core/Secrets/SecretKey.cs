using RotationDashboard.Core.Common;

namespace RotationDashboard.Core.Secrets;

/// <summary>Rules for secret names (keys) such as <c>AUTH0_CLIENT_SECRET</c>.</summary>
public static class SecretKey
{
    public const int MaxLength = 128;

    /// <summary>Validates a key (surrounding whitespace is ignored) and records messages under <paramref name="field"/>.</summary>
    public static ValidationErrors Validate(string? key, string field = "key", ValidationErrors? errors = null)
    {
        errors ??= new ValidationErrors();
        var trimmed = key?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            errors.Add(field, "Secret name is required.");
            return errors;
        }

        if (trimmed.Length > MaxLength)
        {
            errors.Add(field, $"Secret name must be at most {MaxLength} characters.");
        }

        if (trimmed.Contains(':') || trimmed.Contains('/'))
        {
            errors.Add(field, "Secret name cannot contain colon or forward slash.");
        }

        if (trimmed.Any(char.IsControl))
        {
            errors.Add(field, "Secret name cannot contain control characters.");
        }
        else if (trimmed.Any(char.IsWhiteSpace))
        {
            errors.Add(field, "Secret name cannot contain spaces or other whitespace.");
        }

        return errors;
    }

    public static bool IsValid(string? key) => Validate(key).IsEmpty;

    /// <exception cref="DomainValidationException">The key is invalid.</exception>
    public static string Normalize(string? key, string field = "key")
    {
        Validate(key, field).ThrowIfAny();
        return key!.Trim();
    }
}
