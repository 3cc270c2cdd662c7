namespace RotationDashboard.Core.Common;

/// <summary>A domain rule refused an operation. Messages are safe to show: they never contain a secret value.</summary>
public class DomainException : Exception
{
    public DomainException(string message)
        : base(message)
    {
    }

    public DomainException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Input failed validation; nothing was changed.</summary>
public sealed class DomainValidationException : DomainException
{
    public DomainValidationException(ValidationErrors errors)
        : base("One or more validation errors occurred. " + errors)
    {
        Errors = errors;
    }

    public ValidationErrors Errors { get; }
}
