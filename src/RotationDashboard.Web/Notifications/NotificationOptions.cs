using Microsoft.Extensions.Options;

namespace RotationDashboard.Web.Notifications;

/// <summary>Settings of notifications (section <c>Notifications</c>), validated at start.</summary>
public sealed class NotificationOptions
{
    public const string SectionName = "Notifications";

    /// <summary>Attempts per delivery before it is marked failed (the first attempt included).</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Wait after the first failed attempt; it doubles per attempt up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Time limit of one HTTP or SMTP attempt.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the delivery worker looks for due deliveries when nothing woke it.</summary>
    public TimeSpan DeliveryPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the event sources look at runs, the audit log and the rotations' dates.</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>"Rotation due" fires this many days ahead.</summary>
    public int DueSoonDays { get; set; } = 7;

    /// <summary>"Certificate expiring" fires this many days ahead.</summary>
    public int CredentialExpiringDays { get; set; } = 14;

    /// <summary>The dashboard's address people open (links in messages); defaults to the address the server listens on.</summary>
    public string? PublicBaseUrl { get; set; }
}

internal sealed class NotificationOptionsValidator : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions o)
    {
        var failures = new List<string>();
        if (o.MaxAttempts is < 1 or > 50) failures.Add("Notifications:MaxAttempts must be between 1 and 50.");
        if (o.RetryBaseDelay <= TimeSpan.Zero || o.RetryMaxDelay < o.RetryBaseDelay)
            failures.Add("Notifications:RetryBaseDelay must be positive and at most RetryMaxDelay.");
        if (o.RequestTimeout <= TimeSpan.Zero) failures.Add("Notifications:RequestTimeout must be positive.");
        if (o.DeliveryPollInterval <= TimeSpan.Zero || o.ScanInterval <= TimeSpan.Zero)
            failures.Add("Notifications:DeliveryPollInterval and ScanInterval must be positive.");
        if (o.DueSoonDays < 0 || o.CredentialExpiringDays < 0) failures.Add("Notifications:DueSoonDays and CredentialExpiringDays must not be negative.");
        if (!string.IsNullOrWhiteSpace(o.PublicBaseUrl) && !Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out _))
            failures.Add("Notifications:PublicBaseUrl must be an absolute URL.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
