using System.ComponentModel.DataAnnotations;

namespace Orchard.Domain.Storage;

/// <summary>Blob Storage settings (section <c>Storage</c>); the connection string defaults to <c>AzureWebJobsStorage</c>.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>
    /// Storage account connection string; empty means the app's <c>AzureWebJobsStorage</c>, as a connection string or
    /// identity-based (<see cref="StorageConnection"/>).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>How long the identity may take to get a token before a storage call fails with a sentence.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan IdentityTokenTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The container holding uploads, chunks, results and transcripts.</summary>
    [Required]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "Storage:ContainerName must be a valid blob container name (3-63 lowercase letters, digits, dashes).")]
    public string ContainerName { get; set; } = "orchard";

    /// <summary>Largest accepted recording, in bytes (default 2 GB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>
    /// Longest accepted recording (default 12 h): checked at the probe from the container's stated duration, and
    /// again while decoding, so a small compressed file cannot expand into an unbounded decode.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxRecordingDuration { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// How long a finished job's summary and transcript (and its audio) stay in Blob Storage; the timer purges them
    /// after that. Its Redis record goes much sooner (<c>State:JobRetention</c>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan JobRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long an upload URL from <c>POST /uploads</c> accepts writes.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan UploadUrlLifetime { get; set; } = TimeSpan.FromHours(2);

    /// <summary>An upload never submitted as a job is deleted this long after its last write.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan AbandonedUploadAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Bytes read from each end of a direct upload to probe it in the request (its header at the start; an MP4's index,
    /// an Ogg's last page at the end). The rest is never read by the request: the orchestration decodes it all.
    /// </summary>
    [Range(64 * 1024, 256L * 1024 * 1024)]
    public long ProbeBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// Keep the upload on the instance that received it, so preparing the job there need not download it again. Off
    /// unless set, except in Development: on a scaled-out app preparation mostly runs on another instance.
    /// </summary>
    public bool LocalSourceCache { get; set; }

    /// <summary>Most bytes the local upload cache holds; the oldest copies go first.</summary>
    [Range(0, long.MaxValue)]
    public long LocalSourceCacheMaxBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>A cached upload not taken by then is deleted (the blob stays the source of truth).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan LocalSourceCacheMaxAge { get; set; } = TimeSpan.FromHours(1);
}
