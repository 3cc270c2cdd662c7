using RotationDashboard.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace RotationDashboard.Auth0.Tests;

[Trait(TestKind.Trait, TestKind.Integration)]
public class OptionsAndRegistrationTests
{
    [Fact]
    public void Options_bind_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth0Client:MaxRetryAttempts"] = "2",
            ["Auth0Client:MaxRetryDelay"] = "00:00:10",
            ["Auth0Client:ManagementRequestsPerSecondPerTenant"] = "16",
            ["Auth0Client:ManagementBurstPerTenant"] = "50",
        }).Build();
        using var services = new ServiceCollection().AddAuth0Client(configuration.GetSection(Auth0ClientOptions.SectionName)).BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<Auth0ClientOptions>>().Value;

        Assert.Equal(2, options.MaxRetryAttempts);
        Assert.Equal(TimeSpan.FromSeconds(10), options.MaxRetryDelay);
        Assert.Equal(16, options.ManagementRequestsPerSecondPerTenant);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RequestTimeout);
        Assert.NotNull(services.GetRequiredService<IAuth0ManagementClientFactory>());
        Assert.Same(TimeProvider.System, services.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void Invalid_options_fail_at_start_up_with_every_problem_named()
    {
        using var services = new ServiceCollection()
            .AddAuth0Client(o =>
            {
                o.MaxRetryAttempts = 50;
                o.BaseDelay = TimeSpan.FromMinutes(2);
                o.ManagementRequestsPerSecondPerTenant = 0;
                o.MaxConcurrentRequestsPerTenant = 0;
            })
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(error.Failures, f => f.Contains("MaxRetryAttempts"));
        Assert.Contains(error.Failures, f => f.Contains("BaseDelay"));
        Assert.Contains(error.Failures, f => f.Contains("ManagementRequestsPerSecondPerTenant"));
        Assert.Contains(error.Failures, f => f.Contains("MaxConcurrentRequestsPerTenant"));
        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IAuth0ManagementClientFactory>());
    }

    [Fact]
    public void A_registered_TimeProvider_is_kept()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var services = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddAuth0Client().BuildServiceProvider();

        Assert.Same(clock, services.GetRequiredService<TimeProvider>());
        Assert.NotNull(services.GetRequiredService<Auth0CredentialVerifier>());
        Assert.NotNull(services.GetRequiredService<IAuth0TokenClient>());
    }
}
