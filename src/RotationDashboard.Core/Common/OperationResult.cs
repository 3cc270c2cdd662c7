namespace RotationDashboard.Core.Common;

public enum OperationFailureKind
{
    /// <summary>Input is invalid (HTTP 400 with per-field errors). Nothing changed.</summary>
    Validation,

    /// <summary>The target does not exist (HTTP 404).</summary>
    NotFound,

    /// <summary>
    /// The request conflicts with the current state (HTTP 409): a name already taken, an edit that lost
    /// an optimistic-concurrency race, or a secret managed by a rotation.
    /// </summary>
    Conflict,

    /// <summary>
    /// An external system (Auth0) failed or refused the call (HTTP 502). The message is safe to show: scrubbed,
    /// and it says what to do.
    /// </summary>
    Upstream,

    /// <summary>
    /// An external system (Auth0) is temporarily unavailable: down, overloaded or rate limiting (HTTP 503 with
    /// <see cref="OperationFailure.RetryAfter"/>). Nothing changed; the same request can be sent again later.
    /// </summary>
    Unavailable,
}

/// <summary>Why an operation failed; <see cref="Errors"/> is field → messages (empty unless validation).</summary>
/// <param name="RetryAfter">For <see cref="OperationFailureKind.Unavailable"/>: when trying again makes sense.</param>
public sealed record OperationFailure(
    OperationFailureKind Kind,
    string Message,
    IReadOnlyDictionary<string, string[]> Errors,
    TimeSpan? RetryAfter = null)
{
    public static OperationFailure FromValidation(ValidationErrors errors) =>
        new(OperationFailureKind.Validation, "One or more validation errors occurred.", errors.ToDictionary().AsReadOnly());
}

/// <summary>The outcome of an application operation that the UI and the HTTP API both map.</summary>
public class OperationResult
{
    private static readonly IReadOnlyDictionary<string, string[]> NoErrors =
        new Dictionary<string, string[]>().AsReadOnly();

    protected OperationResult(OperationFailure? failure) => Failure = failure;

    public OperationFailure? Failure { get; }

    public bool Succeeded => Failure is null;

    public static OperationResult Success() => new(null);

    public static OperationResult Invalid(ValidationErrors errors) => new(OperationFailure.FromValidation(errors));

    public static OperationResult Invalid(string field, string message) => Invalid(ValidationErrors.For(field, message));

    public static OperationResult NotFound(string message) =>
        new(new OperationFailure(OperationFailureKind.NotFound, message, NoErrors));

    public static OperationResult Conflict(string message) =>
        new(new OperationFailure(OperationFailureKind.Conflict, message, NoErrors));

    public static OperationResult Upstream(string message) =>
        new(new OperationFailure(OperationFailureKind.Upstream, message, NoErrors));

    public static OperationResult Unavailable(string message, TimeSpan retryAfter) =>
        new(new OperationFailure(OperationFailureKind.Unavailable, message, NoErrors, retryAfter));

    public static OperationResult Fail(OperationFailure failure) => new(failure);

    public static OperationResult<T> Success<T>(T value) => OperationResult<T>.Success(value);

    public override string ToString() => Succeeded ? "Succeeded" : $"{Failure!.Kind}: {Failure.Message}";
}

public sealed class OperationResult<T> : OperationResult
{
    private readonly T? _value;

    private OperationResult(T? value, OperationFailure? failure)
        : base(failure) => _value = value;

    /// <summary>The result value; throws when the operation failed.</summary>
    public T Value => Succeeded
        ? _value!
        : throw new InvalidOperationException($"The operation failed ({Failure!.Kind}): {Failure.Message}");

    public static OperationResult<T> Success(T value) => new(value, null);

    public static new OperationResult<T> Invalid(ValidationErrors errors) => new(default, OperationFailure.FromValidation(errors));

    public static new OperationResult<T> Invalid(string field, string message) => Invalid(ValidationErrors.For(field, message));

    public static new OperationResult<T> NotFound(string message) =>
        new(default, OperationResult.NotFound(message).Failure);

    public static new OperationResult<T> Conflict(string message) =>
        new(default, OperationResult.Conflict(message).Failure);

    public static new OperationResult<T> Upstream(string message) =>
        new(default, OperationResult.Upstream(message).Failure);

    public static new OperationResult<T> Fail(OperationFailure failure) => new(default, failure);
}
