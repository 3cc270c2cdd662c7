using RotationDashboard.Testing;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.Tests.Security;

[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class FailedApiAuthenticationLimiterTests
{
    [Fact]
    public void An_address_limiter_disposed_while_idle_does_not_fail_the_request_that_picked_it_up()
    {
        // The partitioned limiter's idle clean-up can dispose an address's limiter between its lookup and its use.
        var limiter = new FailedApiAuthenticationLimiter(new DisposedOnceLimiter(), NullLogger<FailedApiAuthenticationLimiter>.Instance);

        Assert.Null(limiter.Blocked("203.0.113.7"));
        limiter.RecordFailure("203.0.113.7");
    }

    /// <summary>Throws as a just-disposed idle partition does on the first call for each operation, then grants.</summary>
    private sealed class DisposedOnceLimiter : PartitionedRateLimiter<string>
    {
        private int _calls;

        public override RateLimiterStatistics? GetStatistics(string resource) => null;

        protected override RateLimitLease AttemptAcquireCore(string resource, int permitCount) =>
            Interlocked.Increment(ref _calls) % 2 == 1
                ? throw new ObjectDisposedException(nameof(FixedWindowRateLimiter))
                : new GrantedLease();

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(string resource, int permitCount, CancellationToken cancellationToken) =>
            ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));
    }

    private sealed class GrantedLease : RateLimitLease
    {
        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
