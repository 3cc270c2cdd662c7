using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RotationDashboard.Core.Notifications;

/// <summary>
/// The webhook signature: <c>X-Rotation-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256&gt;</c> over
/// <c>"&lt;t&gt;.&lt;raw body&gt;"</c> with the channel's secret. Receivers recompute it, compare in constant time and
/// refuse a timestamp outside their replay window (<see cref="DefaultTolerance"/>), as Stripe's and Slack's do.
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "X-Rotation-Signature";
    public const string EventTypeHeader = "X-Rotation-Event";
    public const string DeliveryIdHeader = "X-Rotation-Delivery";

    /// <summary>The replay window receivers should use.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    public static string Compute(string secret, long timestamp, string body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body));
        return Convert.ToHexStringLower(mac);
    }

    public static string Header(string secret, DateTimeOffset now, string body)
    {
        var t = now.ToUnixTimeSeconds();
        return $"t={t.ToString(CultureInfo.InvariantCulture)},v1={Compute(secret, t, body)}";
    }

    /// <summary>What a receiver does: parse, check the window, compare in constant time.</summary>
    public static bool Verify(string secret, string? header, string body, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (string.IsNullOrEmpty(header))
        {
            return false;
        }

        long? timestamp = null;
        var signatures = new List<string>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) continue;
            var (key, value) = (part[..eq], part[(eq + 1)..]);
            if (key == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t)) timestamp = t;
            else if (key == "v1") signatures.Add(value);
        }

        if (timestamp is not { } ts || signatures.Count == 0)
        {
            return false;
        }

        if ((now - DateTimeOffset.FromUnixTimeSeconds(ts)).Duration() > (tolerance ?? DefaultTolerance))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Compute(secret, ts, body));
        return signatures.Any(s => CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(s)));
    }
}
