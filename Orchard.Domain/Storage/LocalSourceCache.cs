namespace Orchard.Domain.Storage;

/// <summary>
/// The copy of an upload the submitting instance already has on disk, kept so that preparing the job on the same
/// instance (always, on the local host) need not download it again. Blob Storage stays the source of truth: any
/// other instance, or a restarted one, downloads as before. Copies older than a day are swept away.
/// </summary>
public static class LocalSourceCache
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromDays(1);

    private static string Directory => Path.Combine(Path.GetTempPath(), "orchard-source-cache");

    /// <summary>Keeps <paramref name="path"/> (moved, not copied) as the job's source.</summary>
    public static void Keep(string jobId, string path)
    {
        System.IO.Directory.CreateDirectory(Directory);
        File.Move(path, PathFor(jobId), overwrite: true);
    }

    /// <summary>Moves the job's cached source to <paramref name="destination"/>; false when this instance has none.</summary>
    public static bool TryTake(string jobId, string destination)
    {
        Sweep();
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

    private static string PathFor(string jobId) => Path.Combine(Directory, jobId);

    private static void Sweep()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return;
        }

        foreach (var file in new DirectoryInfo(Directory).EnumerateFiles().Where(f => DateTime.UtcNow - f.LastWriteTimeUtc > MaxAge))
        {
            try
            {
                file.Delete();
            }
            catch (IOException)
            {
                // Another preparation may be taking it right now; the next sweep gets it.
            }
        }
    }
}
