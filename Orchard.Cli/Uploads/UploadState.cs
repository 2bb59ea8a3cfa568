using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchard.Cli.Uploads;

/// <summary>
/// What an interrupted upload needs to go on: the slot the master gave (its write-only URL), the file it is for
/// (a fingerprint, so a changed file starts over) and the blocks already stored. Kept by the client, because the
/// upload URL cannot read back which blocks the storage service holds.
/// </summary>
public sealed record UploadState
{
    public required string Master { get; init; }

    public required string File { get; init; }

    public required string Fingerprint { get; init; }

    public required string Blob { get; init; }

    public required string UploadUrl { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public required int BlockSize { get; init; }

    /// <summary>Indexes of the blocks stored so far.</summary>
    public SortedSet<int> Staged { get; init; } = [];

    /// <summary>True once the block list is committed: only the submission is left.</summary>
    public bool Committed { get; init; }

    /// <summary>
    /// Size, modification time and a hash of the first and last megabyte: enough to notice a file replaced or
    /// re-recorded between two runs without reading gigabytes again.
    /// </summary>
    public static string FingerprintOf(FileInfo file)
    {
        ArgumentNullException.ThrowIfNull(file);
        const int Edge = 1024 * 1024;
        using var stream = file.OpenRead();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[Edge];
        hash.AppendData(buffer, 0, stream.ReadAtLeast(buffer, Edge, throwOnEndOfStream: false));
        if (stream.Length > Edge)
        {
            stream.Seek(-Math.Min(Edge, stream.Length - Edge), SeekOrigin.End);
            hash.AppendData(buffer, 0, stream.ReadAtLeast(buffer, Edge, throwOnEndOfStream: false));
        }

        return $"{file.Length}:{file.LastWriteTimeUtc.Ticks}:{Convert.ToHexString(hash.GetHashAndReset())}";
    }
}

/// <summary>Upload states as small files, one per master and file, readable by their owner only.</summary>
public sealed class UploadStateStore(string directory)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string Directory { get; } = Path.Combine(directory, "uploads");

    public UploadState? Load(string master, string file)
    {
        var path = PathOf(master, file);
        try
        {
            var state = JsonSerializer.Deserialize<UploadState>(System.IO.File.ReadAllText(path), Json);
            return state is not null && state.Master == master && state.File == file ? state : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException)
        {
            // A state file cut short (a crash mid-write on an old run): start the upload again.
            return null;
        }
    }

    /// <summary>Written whole to a temporary file, then moved over the old one: a crash leaves one or the other.</summary>
    public void Save(UploadState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!System.IO.Directory.Exists(Directory))
        {
            if (OperatingSystem.IsWindows())
            {
                System.IO.Directory.CreateDirectory(Directory);
            }
            else
            {
                System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var path = PathOf(state.Master, state.File);
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // The upload URL lets anyone holding it write the blob until it expires.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, state, Json);
        }

        System.IO.File.Move(temporary, path, overwrite: true);
    }

    public void Delete(string master, string file) => System.IO.File.Delete(PathOf(master, file));

    public string PathOf(string master, string file) =>
        Path.Combine(Directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(master + "\n" + file)))[..32] + ".json");
}
