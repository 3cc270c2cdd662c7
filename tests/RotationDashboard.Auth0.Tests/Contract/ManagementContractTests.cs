using RotationDashboard.Testing;
using System.Net;
using RotationDashboard.Sandbox;

namespace RotationDashboard.Auth0.Tests.Contract;

/// <summary>
/// The Auth0 client's Management API calls against the sandbox tenant over real HTTP: the payloads, statuses
/// and error bodies the client was written from (docs/auth0-management-api.md) as the sandbox serves them.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class ManagementContractTests(UnlimitedSandboxFixture sandbox) : IClassFixture<UnlimitedSandboxFixture>
{
    private SandboxTenant Tenant => sandbox.Host.Tenant;

    [Fact]
    public async Task The_dashboard_app_gets_a_token_with_every_scope_it_needs()
    {
        await using var client = sandbox.CreateClient();

        var token = await client.TokenClient.RequestTokenWithSecretAsync(
            sandbox.Tenant, SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret);
        var granted = await client.Dashboard().GetGrantedScopesAsync();

        Assert.Equal(TokenCheckOutcome.Valid, token.Outcome);
        Assert.False(string.IsNullOrEmpty(token.AccessToken));
        Assert.Equal(TimeSpan.FromDays(1), token.ExpiresIn);
        Assert.Equal(SandboxSeed.DashboardScopes.Order(), token.Scopes!.Order());
        Assert.Equal(SandboxSeed.DashboardScopes.Order(), granted.Order());
        Assert.Empty(Auth0ManagementScopes.FindMissing(granted));
    }

    [Fact]
    public async Task Missing_scopes_are_named_and_the_calls_that_need_them_get_insufficient_scope()
    {
        var limited = Tenant.CreateManagementClient("Read-only connection", [Auth0ManagementScopes.ReadClients]);
        var target = Tenant.CreateClient("Scope target");
        await using var client = sandbox.CreateClient();
        var management = client.Management(limited.ClientId, limited.ClientSecret!);

        var missing = Auth0ManagementScopes.FindMissing(await management.GetGrantedScopesAsync());

        Assert.Equal(Auth0ManagementScopes.Dashboard.Where(s => s != Auth0ManagementScopes.ReadClients), missing);
        // read:clients is enough to list and read applications...
        Assert.NotEmpty(await management.ListAllClientsAsync());
        Assert.Equal(target.ClientId, (await management.GetClientAsync(target.ClientId)).ClientId);

        // ...and each write or credential call is refused with the scope it lacks.
        var keys = RsaCredentialKeys.Generate();
        var refusals = new (Func<Task> Call, string Scope)[]
        {
            (() => management.RotateClientSecretAsync(target.ClientId), Auth0ManagementScopes.UpdateClientKeys),
            (() => management.UpdateClientAsync(target.ClientId, ClientPatch.SetClientSecret(new string('s', 64))), Auth0ManagementScopes.UpdateClientKeys),
            (() => management.ListClientCredentialsAsync(target.ClientId), Auth0ManagementScopes.ReadClientCredentials),
            (() => management.CreateClientCredentialAsync(target.ClientId, new NewClientCredential(keys.PublicKeyPem)), Auth0ManagementScopes.CreateClientCredentials),
            (() => management.GetClientCredentialAsync(target.ClientId, "cred_any"), Auth0ManagementScopes.ReadClientCredentials),
            (() => management.UpdateClientCredentialExpiryAsync(target.ClientId, "cred_any", DateTimeOffset.UtcNow.AddDays(1)), Auth0ManagementScopes.UpdateClientCredentials),
            (() => management.DeleteClientCredentialAsync(target.ClientId, "cred_any"), Auth0ManagementScopes.DeleteClientCredentials),
        };
        foreach (var (call, scope) in refusals)
        {
            var refused = await Assert.ThrowsAsync<Auth0ApiException>(call);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("insufficient_scope", refused.ErrorCode);
            Assert.True(refused.IsInsufficientScope);
            Assert.False(refused.IsTransient);
            Assert.Equal(1, refused.Attempts);
            Assert.Contains(scope, refused.ApiMessage);
            Assert.Contains(scope, missing);
        }

        Assert.Empty(Tenant.GetCredentials(target.ClientId));
        Assert.Equal(target.ClientSecret, Tenant.GetClientSecret(target.ClientId));
    }

    [Fact]
    public async Task Listing_all_clients_reads_pages_of_100_until_total_and_never_an_extra_empty_page()
    {
        for (var i = 0; i < 250; i++)
            Tenant.CreateClient($"Paging app {i:000}", i % 3 == 0 ? SandboxAppType.RegularWeb : SandboxAppType.NonInteractive);

        // Whatever other tests added, list once at the tenant's current size and once at an exact multiple of 100:
        // the second is where a client that pages until an empty page makes one request too many.
        await AssertListsEverythingInMinimalRequests();
        var total = Tenant.GetClients().Count;
        for (var i = total; i % 100 != 0; i++)
            Tenant.CreateClient($"Top-up app {i}");
        Assert.Equal(0, Tenant.GetClients().Count % 100);
        await AssertListsEverythingInMinimalRequests();
    }

    private async Task AssertListsEverythingInMinimalRequests()
    {
        var expected = Tenant.GetClients().Select(c => c.ClientId).Order(StringComparer.Ordinal).ToList();
        await using var client = sandbox.CreateClient();

        var listed = await client.Dashboard().ListAllClientsAsync();

        Assert.Equal(expected, listed.Select(c => c.ClientId).Order(StringComparer.Ordinal));
        var pages = (int)Math.Ceiling(expected.Count / 100.0);
        Assert.Equal(pages + 1, client.Exchanges.All.Count);
        Assert.Single(client.Exchanges.Token);
        var pageRequests = client.Exchanges.Management;
        Assert.All(pageRequests, e => Assert.Equal(HttpStatusCode.OK, e.Status));
        Assert.Equal(
            Enumerable.Range(0, pages).Select(p => $"page={p}"),
            pageRequests.Select(e => e.Query.TrimStart('?').Split('&').Single(part => part.StartsWith("page=", StringComparison.Ordinal))));
        Assert.All(pageRequests, e => Assert.Contains("per_page=100", e.Query));
        Assert.All(pageRequests, e => Assert.Contains("include_totals=true", e.Query));
    }

    [Fact]
    public async Task A_filtered_page_carries_total_start_and_limit()
    {
        await using var client = sandbox.CreateClient();
        var expected = Tenant.GetClients().Count(c => c.AppType == "non_interactive");

        var page = await client.Dashboard().ListClientsAsync(new ListClientsRequest { AppTypes = ["non_interactive"], Page = 0, PerPage = 5 });

        Assert.Equal(expected, page.Total);
        Assert.Equal(0, page.Start);
        Assert.Equal(5, page.Limit);
        Assert.Equal(5, page.Clients.Count);
        Assert.All(page.Clients, c => Assert.Equal("non_interactive", c.AppType));
    }

    [Fact]
    public async Task Get_client_returns_the_application_and_an_unknown_id_is_a_404()
    {
        await using var client = sandbox.CreateClient();
        var management = client.Dashboard();

        var worker = await management.GetClientAsync(SandboxSeed.PaymentsWorkerClientId);
        var ledger = await management.GetClientAsync(SandboxSeed.LedgerSyncClientId, ["client_id", "client_authentication_methods"]);
        var missing = await Assert.ThrowsAsync<Auth0ApiException>(() => management.GetClientAsync("no-such-client"));

        Assert.Equal("Payments API worker", worker.Name);
        Assert.Equal("non_interactive", worker.AppType);
        Assert.Equal(Auth0TokenEndpointAuthMethods.ClientSecretPost, worker.TokenEndpointAuthMethod);
        Assert.Equal(SandboxSeed.PaymentsWorkerClientSecret, worker.ClientSecret);
        Assert.False(worker.UsesPrivateKeyJwt);
        Assert.True(ledger.UsesPrivateKeyJwt);
        Assert.Equal([SandboxSeed.LedgerSyncCredentialId], ledger.PrivateKeyJwtCredentialIds);
        Assert.Null(ledger.Name);
        Assert.True(missing.IsNotFound);
        Assert.Equal("inexistent_client", missing.ErrorCode);
        Assert.Equal("/api/v2/clients/no-such-client", missing.Path);
    }

    [Fact]
    public async Task Patching_the_client_secret_makes_the_new_secret_authenticate()
    {
        var app = Tenant.CreateClient("Patched secret app", managementScopes: [Auth0ManagementScopes.ReadClients]);
        var newSecret = "patched-" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        await using var client = sandbox.CreateClient();

        var updated = await client.Dashboard().UpdateClientAsync(app.ClientId, ClientPatch.SetClientSecret(newSecret));
        var check = await client.Verifier.VerifyClientSecretAsync(sandbox.Tenant, app.ClientId, newSecret);

        Assert.Equal(newSecret, updated.ClientSecret);
        Assert.Equal(newSecret, Tenant.GetClientSecret(app.ClientId));
        Assert.Equal(TokenCheckOutcome.Valid, check.Outcome);
        var patch = Assert.Single(client.Exchanges.To("PATCH", $"/api/v2/clients/{app.ClientId}"));
        Assert.Equal(HttpStatusCode.OK, patch.Status);
    }

    [Fact]
    public async Task Rotate_secret_returns_a_generated_secret_that_authenticates()
    {
        var app = Tenant.CreateClient("Rotated app", managementScopes: [Auth0ManagementScopes.ReadClients]);
        await using var client = sandbox.CreateClient();

        var rotated = await client.Dashboard().RotateClientSecretAsync(app.ClientId);
        var check = await client.Verifier.VerifyClientSecretAsync(sandbox.Tenant, app.ClientId, rotated.ClientSecret!);

        Assert.Equal(app.ClientId, rotated.ClientId);
        Assert.False(string.IsNullOrEmpty(rotated.ClientSecret));
        Assert.NotEqual(app.ClientSecret, rotated.ClientSecret);
        Assert.Equal(rotated.ClientSecret, Tenant.GetClientSecret(app.ClientId));
        Assert.Equal(TokenCheckOutcome.Valid, check.Outcome);
    }

    [Fact]
    public async Task Rotate_secret_is_refused_for_a_private_key_jwt_client()
    {
        await using var client = sandbox.CreateClient();

        var refused = await Assert.ThrowsAsync<Auth0ApiException>(
            () => client.Dashboard().RotateClientSecretAsync(SandboxSeed.LedgerSyncClientId));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("operation_not_supported", refused.ErrorCode);
        Assert.Contains("Private Key JWT", refused.ApiMessage);
        Assert.Equal("POST", refused.Method);
        Assert.Equal($"/api/v2/clients/{SandboxSeed.LedgerSyncClientId}/rotate-secret", refused.Path);
        Assert.False(refused.IsTransient);
        Assert.Single(client.Exchanges.To("POST", "/rotate-secret"));
    }

    [Fact]
    public async Task Credentials_follow_Auth0s_lifecycle_and_limits()
    {
        var app = Tenant.CreateClient("Key rotation app", managementScopes: [Auth0ManagementScopes.ReadClients]);
        await using var client = sandbox.CreateClient();
        var management = client.Dashboard();
        var keys = Enumerable.Range(0, 5).Select(_ => RsaCredentialKeys.Generate()).ToList();

        // Create (201), list, get.
        var first = await management.CreateClientCredentialAsync(app.ClientId, new NewClientCredential(keys[0].PublicKeyPem, "key 1"));
        Assert.Equal(HttpStatusCode.Created, Assert.Single(client.Exchanges.To("POST", "/credentials")).Status);
        Assert.StartsWith("cred_", first.Id);
        Assert.Equal(keys[0].KeyId, first.Kid);
        Assert.Equal("RS256", first.Alg);
        Assert.Equal("public_key", first.CredentialType);
        Assert.Equal("key 1", first.Name);
        Assert.Null(first.ExpiresAt);
        Assert.Equal([first.Id], (await management.ListClientCredentialsAsync(app.ClientId)).Select(c => c.Id));
        Assert.Equal(first, await management.GetClientCredentialAsync(app.ClientId, first.Id));

        // expires_at is the one mutable member.
        var expiry = new DateTimeOffset(2031, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);
        var renewed = await management.UpdateClientCredentialExpiryAsync(app.ClientId, first.Id, expiry);
        Assert.Equal(expiry, renewed.ExpiresAt);
        Assert.Equal(expiry, (await management.GetClientCredentialAsync(app.ClientId, first.Id)).ExpiresAt);

        // Attach two: the app switches to private_key_jwt and both keys authenticate.
        var second = await management.CreateClientCredentialAsync(app.ClientId, new NewClientCredential(keys[1].PublicKeyPem, "key 2"));
        var switched = await management.UpdateClientAsync(app.ClientId, ClientPatch.UsePrivateKeyJwt([first.Id, second.Id]));
        Assert.True(switched.UsesPrivateKeyJwt);
        Assert.Null(switched.TokenEndpointAuthMethod);
        Assert.Equal([first.Id, second.Id], switched.PrivateKeyJwtCredentialIds);
        foreach (var (key, credential) in new[] { (keys[0], first), (keys[1], second) })
        {
            var check = await client.Verifier.VerifyPrivateKeyAsync(sandbox.Tenant, app.ClientId, key.PrivateKeyPem, keyId: credential.Kid);
            Assert.Equal(TokenCheckOutcome.Valid, check.Outcome);
        }

        // A third attached credential is refused; so is a fifth stored one.
        var third = await management.CreateClientCredentialAsync(app.ClientId, new NewClientCredential(keys[2].PublicKeyPem));
        var tooManyAttached = await Assert.ThrowsAsync<Auth0ApiException>(
            () => management.UpdateClientAsync(app.ClientId, ClientPatch.UsePrivateKeyJwt([first.Id, second.Id, third.Id])));
        Assert.Equal(HttpStatusCode.BadRequest, tooManyAttached.StatusCode);
        Assert.Equal("invalid_body", tooManyAttached.ErrorCode);
        Assert.Contains("Array is too long", tooManyAttached.ApiMessage);

        await management.CreateClientCredentialAsync(app.ClientId, new NewClientCredential(keys[3].PublicKeyPem));
        var tooManyStored = await Assert.ThrowsAsync<Auth0ApiException>(
            () => management.CreateClientCredentialAsync(app.ClientId, new NewClientCredential(keys[4].PublicKeyPem)));
        Assert.Equal(HttpStatusCode.BadRequest, tooManyStored.StatusCode);
        Assert.Contains("maximum of 4 credentials", tooManyStored.ApiMessage);
        Assert.Equal(4, (await management.ListClientCredentialsAsync(app.ClientId)).Count);

        // An attached credential cannot be deleted; once detached it can, and a second delete finds nothing.
        var stillAttached = await Assert.ThrowsAsync<Auth0ApiException>(() => management.DeleteClientCredentialAsync(app.ClientId, first.Id));
        Assert.Equal(HttpStatusCode.BadRequest, stillAttached.StatusCode);
        Assert.Contains("still associated", stillAttached.ApiMessage);

        await management.UpdateClientAsync(app.ClientId, ClientPatch.UsePrivateKeyJwt([second.Id, third.Id]));
        Assert.True(await management.DeleteClientCredentialAsync(app.ClientId, first.Id));
        Assert.False(await management.DeleteClientCredentialAsync(app.ClientId, first.Id));
        Assert.False(await management.DeleteClientCredentialAsync(app.ClientId, "cred_doesNotExist0000"));
        Assert.Equal(
            new[] { second.Id, third.Id }.Order(),
            Tenant.GetCredentials(app.ClientId).Where(c => c.IsAttached).Select(c => c.Id).Order());
        var gone = await Assert.ThrowsAsync<Auth0ApiException>(() => management.GetClientCredentialAsync(app.ClientId, first.Id));
        Assert.True(gone.IsNotFound);

        // The detached key no longer authenticates.
        var detached = await client.Verifier.VerifyPrivateKeyAsync(sandbox.Tenant, app.ClientId, keys[0].PrivateKeyPem, keyId: first.Kid);
        Assert.Equal(TokenCheckOutcome.InvalidCredential, detached.Outcome);
    }
}
