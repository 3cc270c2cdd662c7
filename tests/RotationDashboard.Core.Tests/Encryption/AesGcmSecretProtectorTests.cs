using RotationDashboard.Testing;
using System.Text;
using RotationDashboard.Core.Encryption;

namespace RotationDashboard.Core.Tests.Encryption;

[Trait(TestKind.Trait, TestKind.Unit)]
public class AesGcmSecretProtectorTests
{
    private const string Purpose = "secret-value:abc";
    private const string Plaintext = "s3cr3t-VALUE_with.unicode-✓";

    [Fact]
    public void Round_trips_bytes_and_strings()
    {
        var protector = TestProtector.Create();

        var blob = protector.ProtectString(Plaintext, Purpose);

        Assert.Equal(Plaintext, protector.UnprotectString(blob, Purpose));
        Assert.Equal([1, 2, 3], protector.Unprotect(protector.Protect([1, 2, 3], Purpose), Purpose));
        Assert.Empty(protector.Unprotect(protector.Protect([], Purpose), Purpose));
    }

    [Fact]
    public void Ciphertext_does_not_contain_the_plaintext_and_is_randomised()
    {
        var protector = TestProtector.Create();

        var first = protector.ProtectString(Plaintext, Purpose);
        var second = protector.ProtectString(Plaintext, Purpose);

        Assert.NotEqual(first, second);
        Assert.DoesNotContain(Plaintext, Encoding.UTF8.GetString(first), StringComparison.Ordinal);
    }

    [Fact]
    public void Blob_layout_is_version_key_id_nonce_tag_ciphertext()
    {
        var protector = TestProtector.Create(out var key);

        var blob = protector.Protect(new byte[5], Purpose);

        Assert.Equal(AesGcmSecretProtector.FormatVersion, blob[0]);
        Assert.Equal(key.Id.Length, blob[1]);
        Assert.Equal(key.Id, Encoding.ASCII.GetString(blob, 2, blob[1]));
        Assert.Equal(2 + key.Id.Length + 12 + 16 + 5, blob.Length);
        Assert.Equal(key.Id, ProtectedBlob.ReadKeyId(blob));
    }

    public static TheoryData<string> TamperedRegions => new() { "version", "keyId", "nonce", "tag", "ciphertext", "truncated" };

    [Theory]
    [MemberData(nameof(TamperedRegions))]
    public void Tampering_with_any_region_is_detected(string region)
    {
        var protector = TestProtector.Create(out var key);
        var blob = protector.ProtectString(Plaintext, Purpose);
        var header = 2 + key.Id.Length;

        switch (region)
        {
            case "version": blob[0] ^= 0x01; break;
            case "keyId": blob[2] ^= 0x01; break;
            case "nonce": blob[header + 3] ^= 0x01; break;
            case "tag": blob[header + 12 + 5] ^= 0x01; break;
            case "ciphertext": blob[^1] ^= 0x01; break;
            case "truncated": blob = blob[..(header + 20)]; break;
        }

        var ex = Assert.Throws<SecretDecryptionException>(() => protector.UnprotectString(blob, Purpose));
        Assert.DoesNotContain(Plaintext, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_key_fails_clearly_and_names_the_key_id()
    {
        var writer = TestProtector.Create(out var writerKey);
        var reader = TestProtector.Create();
        var blob = writer.ProtectString(Plaintext, Purpose);

        var ex = Assert.Throws<SecretDecryptionException>(() => reader.UnprotectString(blob, Purpose));

        Assert.Equal(writerKey.Id, ex.KeyId);
        Assert.Contains(writerKey.Id, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Encryption:PreviousRootKeys", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_key_id_but_different_key_material_fails_authentication()
    {
        var writer = new AesGcmSecretProtector(new RootKeyRing(RootKey.Generate("shared-id")));
        var reader = new AesGcmSecretProtector(new RootKeyRing(RootKey.Generate("shared-id")));
        var blob = writer.ProtectString(Plaintext, Purpose);

        var ex = Assert.Throws<SecretDecryptionException>(() => reader.UnprotectString(blob, Purpose));
        Assert.Contains("failed authentication", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_purpose_fails_so_blobs_cannot_be_swapped_between_records()
    {
        var protector = TestProtector.Create();
        var connectionSecret = protector.ProtectString(Plaintext, ProtectionPurposes.ConnectionClientSecret(Guid.NewGuid()));

        Assert.Throws<SecretDecryptionException>(() =>
            protector.UnprotectString(connectionSecret, ProtectionPurposes.SecretValue(Guid.NewGuid())));
    }

    [Fact]
    public void Previous_key_still_decrypts_after_rotation_and_new_blobs_use_the_current_key()
    {
        var oldKey = RootKey.Generate();
        var oldBlob = new AesGcmSecretProtector(new RootKeyRing(oldKey)).ProtectString(Plaintext, Purpose);
        var newKey = RootKey.Generate();
        var rotated = new AesGcmSecretProtector(new RootKeyRing(newKey, [oldKey]));

        Assert.Equal(Plaintext, rotated.UnprotectString(oldBlob, Purpose));
        Assert.Equal(oldKey.Id, ProtectedBlob.ReadKeyId(oldBlob));
        Assert.Equal(newKey.Id, ProtectedBlob.ReadKeyId(rotated.ProtectString(Plaintext, Purpose)));
        Assert.Equal(newKey.Id, rotated.CurrentKeyId);
    }

    [Fact]
    public void Key_id_defaults_to_first_eight_bytes_of_sha256_in_hex()
    {
        var material = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(material)[..8]);

        var key = new RootKey(material);

        Assert.Equal(expected, key.Id);
        Assert.Equal("custom-id", new RootKey(material, "custom-id").Id);
        Assert.DoesNotContain(Convert.ToBase64String(material), key.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("not base64!!", "not valid base64")]
    [InlineData("AAAA", "exactly 32 bytes")]
    public void Invalid_base64_keys_are_rejected_with_a_reason(string input, string reason)
    {
        Assert.False(RootKey.TryParseBase64(input, null, out var key, out var error));
        Assert.Null(key);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_round_trips_through_base64()
    {
        var key = RootKey.Generate();
        var parsed = RootKey.FromBase64(key.ExportBase64());

        Assert.Equal(key.Id, parsed.Id);
        var blob = new AesGcmSecretProtector(new RootKeyRing(key)).ProtectString(Plaintext, Purpose);
        Assert.Equal(Plaintext, new AesGcmSecretProtector(new RootKeyRing(parsed)).UnprotectString(blob, Purpose));
    }

    [Fact]
    public void Malformed_blobs_are_reported_not_decrypted()
    {
        var protector = TestProtector.Create();

        Assert.Throws<SecretDecryptionException>(() => protector.Unprotect([], Purpose));
        Assert.Throws<SecretDecryptionException>(() => protector.Unprotect([1], Purpose));
        Assert.Throws<SecretDecryptionException>(() => ProtectedBlob.ReadKeyId([9, 1, 65]));
    }
}
