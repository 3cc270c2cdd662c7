using Microsoft.Extensions.Options;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Services.Encryption;

/// <summary>
/// Builds the <see cref="RootKeyRing"/> from configuration. In Development without a configured key it uses
/// <c>&lt;data directory&gt;/rootkey</c>, creating it (mode 0600) with a fresh random key on first start and
/// logging a warning with its path (never the key). Outside Development a missing key stops start-up with a
/// message naming <c>Encryption:RootKey</c> / <c>Encryption__RootKey</c> (see <see cref="EncryptionOptionsValidator"/>).
/// </summary>
public sealed partial class RootKeyRingLoader(
    IOptions<EncryptionOptions> options,
    IHostEnvironment environment,
    DatabaseLocation location,
    ILogger<RootKeyRingLoader> logger)
{
    public const string DevelopmentKeyFileName = "rootkey";

    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string DevelopmentKeyFile => Path.Combine(location.DataDirectory, DevelopmentKeyFileName);

    /// <exception cref="OptionsValidationException">The configuration is missing or invalid.</exception>
    public RootKeyRing Load()
    {
        var settings = options.Value; // runs EncryptionOptionsValidator
        var previous = settings.PreviousRootKeys.Select(entry =>
            TryParseKeyEntry(entry, out var key, out _) ? key! : throw new InvalidOperationException("Unreachable: validated."));

        RootKey current;
        if (!string.IsNullOrWhiteSpace(settings.RootKey))
        {
            current = RootKey.FromBase64(settings.RootKey, settings.RootKeyId);
        }
        else if (environment.IsDevelopment())
        {
            current = LoadOrCreateDevelopmentKey();
        }
        else
        {
            throw new OptionsValidationException(
                EncryptionOptions.SectionName,
                typeof(EncryptionOptions),
                [EncryptionOptionsValidator.MissingKeyMessage(environment.EnvironmentName)]);
        }

        var ring = new RootKeyRing(current, previous.ToList());
        LogKeyRing(logger, ring.Current.Id, ring.KeyIds.Count);
        return ring;
    }

    /// <summary>Parses a <c>PreviousRootKeys</c> entry: <c>base64</c> or <c>id:base64</c>.</summary>
    public static bool TryParseKeyEntry(string? entry, out RootKey? key, out string? error)
    {
        key = null;
        if (string.IsNullOrWhiteSpace(entry))
        {
            error = "The key is empty.";
            return false;
        }

        var separator = entry.IndexOf(':');
        return separator < 0
            ? RootKey.TryParseBase64(entry, null, out key, out error)
            : RootKey.TryParseBase64(entry[(separator + 1)..], entry[..separator], out key, out error);
    }

    private RootKey LoadOrCreateDevelopmentKey()
    {
        var path = DevelopmentKeyFile;
        if (!File.Exists(path))
        {
            var created = RootKey.Generate();
            try
            {
                var streamOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                {
                    streamOptions.UnixCreateMode = OwnerReadWrite;
                }

                using (var stream = new FileStream(path, streamOptions))
                using (var writer = new StreamWriter(stream))
                {
                    writer.WriteLine(created.ExportBase64());
                }

                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, OwnerReadWrite);
                }

                LogCreatedDevelopmentKey(logger, path);
                return created;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
            }
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerReadWrite & ~UnixFileMode.UserExecute) != 0)
        {
            LogLooseKeyFilePermissions(logger, path);
        }

        var text = File.ReadAllText(path).Trim();
        if (!RootKey.TryParseBase64(text, null, out var key, out var error))
        {
            throw new InvalidOperationException(
                $"The development root key file {path} is invalid: {error} Delete it only if no data was encrypted with it, " +
                $"or set {EncryptionOptions.RootKeySetting}.");
        }

        LogUsingDevelopmentKey(logger, path);
        return key!;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "No root encryption key is configured: created a development key file at {Path} (mode 0600). " +
                  "Back it up; without it the stored secrets cannot be decrypted. Outside Development set Encryption:RootKey.")]
    private static partial void LogCreatedDevelopmentKey(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Using the development root key file {Path}. Outside Development set Encryption:RootKey instead.")]
    private static partial void LogUsingDevelopmentKey(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The root key file {Path} is readable by other users; restrict it with chmod 600.")]
    private static partial void LogLooseKeyFilePermissions(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Encryption root key {KeyId} is current ({KeyCount} keys in the ring)")]
    private static partial void LogKeyRing(ILogger logger, string keyId, int keyCount);
}
