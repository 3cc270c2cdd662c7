namespace RotationDashboard.Auth0.Tests;
public class SmokeTests { [Fact] public void Builds() => Assert.True(true); }
