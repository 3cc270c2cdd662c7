namespace RotationDashboard.Core.Rotations.Engine.Steps;

/// <summary>
/// Private Key JWT: stores the new public key in Auth0 and attaches it beside the consumers' current key (Auth0
/// allows two attached and four stored), deleting this rotation's detached leftovers first. Undo detaches and
/// deletes the new key, switching the application back to its client secret when the run had switched it.
/// </summary>
internal sealed class ApplyKeyStep : IRunStep
{
    public static ApplyKeyStep Instance { get; } = new();

    public RunStepName Name => RunStepName.Apply;

    public bool ChangesAuthority => true;

    public async Task<StepOutcome> ExecuteAsync(RunContext context, CancellationToken cancellationToken)
    {
        var clientId = context.ClientId;
        var rotation = context.Rotation;
        var pending = context.RequirePending();
        var application = await context.CallAuthorityAsync((a, token) => a.GetApplicationAsync(clientId, includeCredentials: true, token), cancellationToken);
        var switching = application.AuthMethod != ApplicationAuthMethod.PrivateKeyJwt;
        if (application.AuthMethod == ApplicationAuthMethod.None)
        {
            throw new StepFailedException($"Application {clientId} is a public application; Private Key JWT needs a confidential application.");
        }

        if (switching && !context.Checkpoint.AllowAuthMethodSwitch)
        {
            throw new StepFailedException(
                $"Application {clientId} authenticates with a client secret. Switching it to Private Key JWT would break every " +
                "consumer that uses the secret, so the rotation does not do it on its own.");
        }

        if (context.Checkpoint.AuthMethodBeforeApply is null)
        {
            // Remember the state before the first change, for a rollback (a resumed Apply must not overwrite it).
            context.SetCheckpoint(context.Checkpoint with
            {
                AuthMethodBeforeApply = application.AuthMethod,
                AttachedBeforeApply = application.AttachedCredentialIds,
                AuthorityChanged = false,
            });
        }

        await context.RecordAuthorityChangeAsync();

        var activeId = context.ActiveSlot()?.CredentialId;
        var prefix = RotationRunner.CredentialNamePrefix(rotation.Id);
        var leftovers = application.Credentials
            .Where(c => !c.IsAttached && c.Id != activeId && c.KeyId != pending.KeyId && c.Name?.StartsWith(prefix, StringComparison.Ordinal) == true)
            .ToList();
        foreach (var leftover in leftovers)
        {
            await context.CallAuthorityAsync((a, token) => a.DeleteCredentialAsync(clientId, leftover.Id, token), cancellationToken);
        }

        var existing = application.Credentials.FirstOrDefault(c => c.KeyId == pending.KeyId);
        var storedAfter = application.Credentials.Count - leftovers.Count + (existing is null ? 1 : 0);
        if (storedAfter > 4)
        {
            throw new StepFailedException(
                $"Application {clientId} already stores {application.Credentials.Count - leftovers.Count} credentials and Auth0 allows 4. " +
                "Delete credentials it no longer uses in Auth0, then rotate again.");
        }

        var credential = existing ?? await context.CallAuthorityAsync(
            (a, token) => a.AddPublicKeyCredentialAsync(clientId, NewCredential(context, pending, $"{prefix} {context.Now:yyyy-MM-dd HH:mm:ss}"), token),
            cancellationToken);
        context.StorePending(pending with { CredentialId = credential.Id });
        await context.SaveAsync();

        // Beside the consumers' current key; on the first issuance, beside whatever the application uses today.
        var keep = application.AttachedCredentialIds.Where(id => id != credential.Id).ToList();
        if (activeId is not null && application.Credentials.Any(c => c.Id == activeId))
        {
            keep = [activeId];
        }

        var attached = keep.Append(credential.Id).Distinct(StringComparer.Ordinal).ToList();
        if (attached.Count > 2)
        {
            throw new StepFailedException(
                $"Application {clientId} already has two Private Key JWT credentials attached ({string.Join(", ", keep)}), the most Auth0 allows. " +
                "Detach the one its consumers no longer use, then rotate again.");
        }

        await context.CallAuthorityAsync((a, token) => a.AttachPublicKeyCredentialsAsync(clientId, attached, token), cancellationToken);
        var removed = leftovers.Count > 0 ? $" Deleted {leftovers.Count} detached leftover credential(s) of earlier runs." : "";
        var beside = keep.Count > 0 ? $" beside {string.Join(", ", keep)}" : " (the application now uses Private Key JWT)";
        var kind = rotation.UseSelfSignedCertificate && existing is null
            ? $" as a self-signed certificate valid for {RotationRules.CertificateValidity(rotation.RotationInterval, rotation.RetireGracePeriod).TotalDays:0} days"
            : "";
        return new StepOutcome($"Added credential {credential.Id} (key id {pending.KeyId}){kind} and attached it{beside}.{removed}",
            r => r.RecordApplicationName(application.Name));
    }

    public async Task UndoAsync(RunContext context, ICollection<string> actions, CancellationToken cancellationToken)
    {
        if (!context.MayHaveChangedAuthority())
        {
            return;
        }

        var clientId = context.ClientId;
        var pending = context.Pending;
        var checkpoint = context.Checkpoint;
        var application = await context.CallAuthorityAsync((a, token) => a.GetApplicationAsync(clientId, includeCredentials: true, token), cancellationToken);
        var newId = pending?.CredentialId
                    ?? application.Credentials.FirstOrDefault(c => pending?.KeyId is not null && c.KeyId == pending.KeyId)?.Id;
        if (newId is null)
        {
            return;
        }

        if (application.AttachedCredentialIds.Contains(newId))
        {
            var remaining = application.AttachedCredentialIds.Where(id => id != newId).ToList();
            if (remaining.Count == 0 && checkpoint.AuthMethodBeforeApply is ApplicationAuthMethod.ClientSecretPost or ApplicationAuthMethod.ClientSecretBasic)
            {
                var method = context.SecretMethod;
                await context.CallAuthorityAsync((a, token) => a.UseClientSecretAsync(clientId, method, token), cancellationToken);
                actions.Add("switched the application back to its client secret");
            }
            else
            {
                if (remaining.Count == 0 && checkpoint.AttachedBeforeApply is { Count: > 0 } before)
                {
                    remaining = before.Where(id => application.Credentials.Any(c => c.Id == id)).ToList();
                }

                await context.CallAuthorityAsync((a, token) => a.AttachPublicKeyCredentialsAsync(clientId, remaining, token), cancellationToken);
                actions.Add($"detached the new credential {newId}");
            }
        }

        await context.CallAuthorityAsync((a, token) => a.DeleteCredentialAsync(clientId, newId, token), cancellationToken);
        actions.Add($"deleted the new credential {newId}");
    }

    private static NewPublicKeyCredential NewCredential(RunContext context, GeneratedCredential pending, string name)
    {
        var rotation = context.Rotation;
        var keyPairs = context.Services.KeyPairs;
        if (!rotation.UseSelfSignedCertificate)
        {
            return new NewPublicKeyCredential(keyPairs.ExportPublicKeyPem(pending.PrivateKeyPem!), pending.KeyId!, name);
        }

        // Valid from a little before now (clock skew) for as long as the rotation's schedule needs it.
        var notBefore = context.Now - TimeSpan.FromMinutes(5);
        var notAfter = context.Now + RotationRules.CertificateValidity(rotation.RotationInterval, rotation.RetireGracePeriod);
        var certificate = keyPairs.CreateSelfSignedCertificatePem(pending.PrivateKeyPem!, $"CN={rotation.Name}, O=Rotation Dashboard", notBefore, notAfter);
        return new NewPublicKeyCredential(certificate, pending.KeyId!, name, IsCertificate: true);
    }
}
