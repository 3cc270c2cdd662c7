using System.Text.Json;
using System.Text.Json.Serialization;

namespace RotationDashboard.Sandbox.Internal;

/// <summary>Saves the tenant as one JSON file, atomically (write a temporary file, then rename over the old one).</summary>
internal sealed class StateStore(string? path)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string? Path { get; } = path is null ? null : System.IO.Path.GetFullPath(path);

    public bool IsEnabled => Path is not null;

    /// <returns>The saved state, or null when there is no file yet.</returns>
    /// <exception cref="InvalidOperationException">The file exists but cannot be read as a tenant; it is left untouched.</exception>
    public TenantState? Load()
    {
        if (Path is null || !File.Exists(Path))
            return null;
        try
        {
            using var stream = File.OpenRead(Path);
            var state = JsonSerializer.Deserialize<TenantState>(stream, JsonOptions);
            if (state is null || string.IsNullOrEmpty(state.SigningKeyPem))
                throw new InvalidOperationException($"The sandbox state file '{Path}' is empty or incomplete. Delete it to start from the seed.");
            return state;
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException(
                $"The sandbox state file '{Path}' is not valid JSON (line {exception.LineNumber}). Delete it to start from the seed.", exception);
        }
    }

    public void Save(TenantState state)
    {
        if (Path is null)
            return;
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        var temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            // The file holds client secrets and private keys of the sandbox: owner-only, even for a demo.
            var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
                fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temporary, fileOptions))
            {
                JsonSerializer.Serialize(stream, state, JsonOptions);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }
}
