using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orchard.Domain.Storage;

/// <summary>
/// The copy of an upload the submitting instance already has on disk, kept so that preparing the job on the same
/// instance (always, on the local host) need not download it again. Blob Storage stays the source of truth: any
/// other instance, a restarted one, or one whose copy was swept downloads the blob instead.
/// Bounded by <see cref="StorageOptions.LocalSourceCacheMaxBytes"/> and <see cref="StorageOptions.LocalSourceCacheMaxAge"/>,
/// swept at every write, oldest first; off (<see cref="StorageOptions.LocalSourceCache"/>) where it cannot help.
/// </summary>
/// <remarks>
/// Files enter and leave the directory only by rename, which is atomic: a copy in the directory is always whole, and
/// one being taken leaves it before it is read, so the sweep can never delete a file a preparation is reading.
/// </remarks>
public sealed partial class LocalSourceCache(IOptions<StorageOptions> storage, IOptions<LocalSourceCacheLocation> location, TimeProvider time, ILogger<LocalSourceCache> logger)
{
    private readonly Lock sweeping = new();

    /// <summary>Where the copies are: <c>orchard-source-cache</c> under <c>Audio:TempDirectory</c> (the system's temporary directory by default).</summary>
    public string Directory => Path.Combine(location.Value.TempDirectory ?? Path.GetTempPath(), "orchard-source-cache");

    public bool Enabled => storage.Value.LocalSourceCache;

    /// <summary>
    /// Keeps <paramref name="path"/> (moved, not copied) as the job's source, after making room for it; deletes it instead
    /// when the cache is off or the file alone is over the bound.
    /// </summary>
    public void Keep(string jobId, string path)
    {
        var length = new FileInfo(path).Length;
        if (!Enabled || length > storage.Value.LocalSourceCacheMaxBytes)
        {
            File.Delete(path);
            return;
        }

        System.IO.Directory.CreateDirectory(Directory);
        Sweep(room: length);
        File.Move(path, PathFor(jobId), overwrite: true);
    }

    /// <summary>Moves the job's cached source to <paramref name="destination"/>; false when this instance has none.</summary>
    public bool TryTake(string jobId, string destination)
    {
        try
        {
            File.Move(PathFor(jobId), destination, overwrite: true);
            return true;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Deletes copies older than the age bound, then the oldest until the rest and <paramref name="room"/> bytes fit
    /// under the size bound.
    /// </summary>
    public void Sweep(long room = 0)
    {
        lock (sweeping)
        {
            if (!System.IO.Directory.Exists(Directory))
            {
                return;
            }

            var now = time.GetUtcNow().UtcDateTime;
            var files = new DirectoryInfo(Directory).EnumerateFiles().OrderBy(f => f.LastWriteTimeUtc).ToList();
            var total = files.Sum(f => f.Length);
            foreach (var file in files)
            {
                if (now - file.LastWriteTimeUtc <= storage.Value.LocalSourceCacheMaxAge && total + room <= storage.Value.LocalSourceCacheMaxBytes)
                {
                    break;
                }

                total -= file.Length;
                try
                {
                    file.Delete();
                    LogSwept(logger, file.Name, file.Length);
                }
                catch (IOException)
                {
                    // Taken a moment ago by a preparation (a rename), or held by another process: nothing to free here.
                }
            }
        }
    }

    private string PathFor(string jobId) => Path.Combine(Directory, jobId);

    [LoggerMessage(EventId = 4300, Level = LogLevel.Debug, Message = "Local upload cache: removed {JobId} ({Bytes} bytes); preparation will download it from Blob Storage")]
    private static partial void LogSwept(ILogger logger, string jobId, long bytes);
}

/// <summary>
/// The directory <see cref="LocalSourceCache"/> keeps its copies under: <c>Audio:TempDirectory</c>, copied in where the
/// app is composed (<c>AddOrchardJobs</c>), because Storage sits below Audio and reads no AudioOptions; null for the
/// system's temporary directory.
/// </summary>
public sealed class LocalSourceCacheLocation
{
    public string? TempDirectory { get; set; }
}
