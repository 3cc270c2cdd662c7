using RotationDashboard.Testing;
using System.Net.Http.Headers;
using RotationDashboard.Client.Internal;

namespace RotationDashboard.Client.Tests;

/// <summary>How long a 429 asks to wait (the sandbox only sends Retry-After in seconds, so the other forms are checked here).</summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class RetryDelayTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static HttpResponseHeaders Headers(Action<HttpResponseHeaders> set)
    {
        var response = new HttpResponseMessage();
        set(response.Headers);
        return response.Headers;
    }

    [Fact]
    public void Retry_after_in_seconds_wins_over_the_rate_limit_reset()
    {
        var headers = Headers(h =>
        {
            h.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(3));
            h.Add("x-ratelimit-reset", (Now.ToUnixTimeSeconds() + 30).ToString());
        });

        Assert.Equal(TimeSpan.FromSeconds(3), RetryDelays.RequestedDelay(headers, Now));
    }

    [Fact]
    public void Retry_after_as_a_date_is_relative_to_the_clock()
    {
        var headers = Headers(h => h.RetryAfter = new RetryConditionHeaderValue(Now.AddSeconds(7)));

        Assert.Equal(TimeSpan.FromSeconds(7), RetryDelays.RequestedDelay(headers, Now));
    }

    [Fact]
    public void Rate_limit_reset_is_epoch_seconds_and_never_negative()
    {
        Assert.Equal(TimeSpan.FromSeconds(4), RetryDelays.RequestedDelay(Headers(h => h.Add("x-ratelimit-reset", (Now.ToUnixTimeSeconds() + 4).ToString())), Now));
        Assert.Equal(TimeSpan.Zero, RetryDelays.RequestedDelay(Headers(h => h.Add("x-ratelimit-reset", (Now.ToUnixTimeSeconds() - 4).ToString())), Now));
        Assert.Null(RetryDelays.RequestedDelay(Headers(_ => { }), Now));
    }

    [Fact]
    public void Backoff_doubles_with_jitter_and_is_capped()
    {
        var max = TimeSpan.FromSeconds(1);
        for (var i = 0; i < 50; i++)
        {
            var second = RetryDelays.Backoff(TimeSpan.FromMilliseconds(100), 1, max);
            Assert.InRange(second.TotalMilliseconds, 160, 240);
            Assert.Equal(max, RetryDelays.Backoff(TimeSpan.FromMilliseconds(100), 10, max));
        }
    }
}
