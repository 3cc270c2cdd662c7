namespace RotationDashboard.Core.Encryption;

/// <summary>
/// The current root key (used to encrypt) plus previous keys (still accepted for decryption), so the root key
/// can be rotated: configure a new current key, move the old one to the previous list, and re-encrypt at leisure.
/// </summary>
public sealed class RootKeyRing
{
    private readonly Dictionary<string, RootKey> _keys;

    public RootKeyRing(RootKey current, IEnumerable<RootKey>? previous = null)
    {
        Current = current ?? throw new ArgumentNullException(nameof(current));
        _keys = new Dictionary<string, RootKey>(StringComparer.Ordinal) { [current.Id] = current };
        foreach (var key in previous ?? [])
        {
            if (!_keys.TryAdd(key.Id, key) && !ReferenceEquals(_keys[key.Id], key))
            {
                // Same id twice is fine only when it is the same key (e.g. listed as both current and previous).
                if (!_keys[key.Id].Material.SequenceEqual(key.Material))
                {
                    throw new ArgumentException($"Two different root keys share the id '{key.Id}'.", nameof(previous));
                }
            }
        }
    }

    public RootKey Current { get; }

    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    public bool TryGetKey(string keyId, out RootKey key) => _keys.TryGetValue(keyId, out key!);

    public override string ToString() => $"RootKeyRing current={Current.Id} keys={_keys.Count}";
}
