using RotationDashboard.Testing;
using System.Security.Claims;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.Tests.Security;

[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class RoleAssignmentTests
{
    private static ClaimsPrincipal User(string email, bool? verified, params Claim[] more)
    {
        var claims = new List<Claim> { new(ClaimTypes.Email, email) };
        if (verified is { } value)
        {
            // As the session holds it: a boolean claim, only when the ID token's email_verified was the JSON boolean true.
            claims.Add(new Claim(RoleAssignment.EmailVerifiedClaim, value ? "true" : "false", ClaimValueTypes.Boolean));
        }

        claims.AddRange(more);
        return new ClaimsPrincipal(new ClaimsIdentity(claims, "test"));
    }

    [Theory]
    [InlineData(true, DashboardRoles.Admin)]
    [InlineData(false, DashboardRoles.Viewer)]
    [InlineData(null, DashboardRoles.Viewer)]
    public void Only_a_verified_address_on_the_admin_list_makes_an_admin(bool? verified, string role)
    {
        var options = new SignInOptions { AdminEmails = ["ada@example.com"] };

        var decision = RoleAssignment.Decide(options, User("ADA@example.com", verified));

        Assert.Equal((true, role), (decision.Allowed, decision.Role));
    }

    [Fact]
    public void The_domain_allow_list_refuses_unverified_and_other_addresses()
    {
        var options = new SignInOptions { AllowedEmailDomains = ["example.com"] };

        Assert.True(RoleAssignment.Decide(options, User("bob@example.com", true)).Allowed);
        Assert.Contains("not verified", RoleAssignment.Decide(options, User("bob@example.com", false)).Reason);
        Assert.Contains("domain is not allowed", RoleAssignment.Decide(options, User("bob@example.org", true)).Reason);
    }

    [Fact]
    public void A_role_claim_grants_admin_whatever_the_address()
    {
        var options = new SignInOptions { AdminRoleClaim = "https://example.com/roles", AdminRoleValue = "rotation-admin" };

        var admin = RoleAssignment.Decide(options, User("eve@example.com", false, new Claim("https://example.com/roles", "rotation-admin")));
        var viewer = RoleAssignment.Decide(options, User("eve@example.com", true, new Claim("https://example.com/roles", "reader")));

        Assert.Equal((DashboardRoles.Admin, DashboardRoles.Viewer), (admin.Role, viewer.Role));
    }
}
