using Microsoft.Extensions.Options;
using Orchard.Domain.Audio;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Domain.State;
using Orchard.Domain.Storage;
using Orchard.Domain.Workers;

namespace Orchard.Domain.Application;

/// <summary>
/// Accepts a recording: stores it under a new job id (never the user's file name), probes it so what is not audio
/// is refused at once, and records the job. The caller then starts its orchestration. A direct upload is probed from
/// both ends of the blob and copied server-side, so the request's work does not grow with the recording (the Functions
/// host answers 500 for any HTTP response later than 230 s); the full decode happens in the orchestration.
/// </summary>
public sealed class JobSubmission(
    RecordingStore recordings, JobProgress progress, IPreferenceStore preferences, AudioPipeline audio, AudioTools tools,
    LocalSourceCache cache, CallbackDelivery callbacks, IOptions<StorageOptions> storage, TimeProvider time)
{
    /// <summary>
    /// Throws <see cref="EmptyUploadException"/>, <see cref="UploadTooLargeException"/>, or an
    /// <see cref="AudioException"/> (<see cref="NotAudioException"/> for what is not audio,
    /// <see cref="AudioLimitException"/> for audio outside the sample rate, channel or duration bounds).
    /// </summary>
    public Task<JobSummary> SubmitAsync(Stream content, string? filename, bool? purify, string? language, CancellationToken cancellationToken) =>
        SubmitStreamAsync(content, new JobOptions(filename, purify, language, null), cancellationToken);

    private async Task<JobSummary> SubmitStreamAsync(Stream content, JobOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var jobId = NewJobId();
        var local = LocalPath(jobId);
        try
        {
            // Probing needs a file; the local copy is then what goes to Blob Storage. The limit holds while copying.
            await using (var file = File.Create(local))
            {
                await CopyLimitedAsync(content, file, storage.Value.MaxUploadBytes, cancellationToken);
            }

            return await AcceptAsync(jobId, local, options, cancellationToken);
        }
        finally
        {
            File.Delete(local);
        }
    }

    /// <summary>Submits a job from a request: its body or multipart file, or a recording uploaded to a URL from <c>POST /uploads</c>.</summary>
    public Task<JobSummary> SubmitAsync(JobUpload upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        // Before the upload is stored: without ffprobe nothing can be accepted, whatever the recording.
        tools.ThrowIfMissing();
        var options = new JobOptions(upload.Filename, upload.Purify, CheckLanguage(upload.Language), callbacks.CheckUrl(upload.CallbackUrl))
        {
            Owner = upload.Owner,
            DeclaredBytes = upload.DeclaredBytes,
        };
        return upload.UploadId is { } uploadId
            ? SubmitUploadedCoreAsync(uploadId, options, cancellationToken)
            : SubmitStreamAsync(upload.Content ?? Stream.Null, options, cancellationToken);
    }

    /// <summary>Submits a recording the client uploaded itself through a URL from <c>POST /uploads</c>; the upload blob is consumed.</summary>
    public Task<JobSummary> SubmitUploadedAsync(string uploadId, string? filename, bool? purify, string? language, CancellationToken cancellationToken) =>
        SubmitUploadedCoreAsync(uploadId, new JobOptions(filename, purify, language, null), cancellationToken);

    private async Task<JobSummary> SubmitUploadedCoreAsync(string uploadId, JobOptions options, CancellationToken cancellationToken)
    {
        if (!Guid.TryParseExact(uploadId, "N", out _))
        {
            throw new UploadNotFoundException(uploadId);
        }

        var size = await recordings.UploadSizeAsync(uploadId, cancellationToken) ?? throw new UploadNotFoundException(uploadId);
        if (size > storage.Value.MaxUploadBytes)
        {
            await recordings.DeleteBlobAsync(RecordingStore.UploadBlob(uploadId), cancellationToken);
            throw new UploadTooLargeException(storage.Value.MaxUploadBytes);
        }

        // What POST /uploads granted: the URL cannot hold a writer to the size it declared, so the commit is checked here.
        if (options.DeclaredBytes is { } declared && size > declared)
        {
            await recordings.DeleteBlobAsync(RecordingStore.UploadBlob(uploadId), cancellationToken);
            throw new Security.UploadLargerThanDeclaredException(declared, size);
        }

        if (size == 0)
        {
            throw new EmptyUploadException();
        }

        var jobId = NewJobId();
        var local = LocalPath(jobId);
        try
        {
            await DownloadEndsAsync(RecordingStore.UploadBlob(uploadId), size, local, cancellationToken);
            var probe = await ProbeAsync(local, cancellationToken);
            if (await recordings.StartCopyAsync(RecordingStore.UploadBlob(uploadId), RecordingStore.SourceBlob(jobId), cancellationToken))
            {
                await recordings.DeleteBlobAsync(RecordingStore.UploadBlob(uploadId), cancellationToken);
            }

            // Otherwise preparation waits for the copy, then deletes the upload (RecordingStore.AwaitCopyAsync).
            return await CreateJobAsync(jobId, probe, options, cancellationToken);
        }
        finally
        {
            File.Delete(local);
        }
    }

    /// <summary>
    /// A stand-in for the blob that ffprobe and the WAV reader can open: a file of the blob's length holding its first
    /// and last <see cref="StorageOptions.ProbeBytes"/> and nothing between (sparse where the file system allows). Headers
    /// sit at the start; an MP4's index, an Ogg's last page, an MP3's length for a bitrate estimate at the end.
    /// </summary>
    private async Task DownloadEndsAsync(string blobName, long size, string local, CancellationToken cancellationToken)
    {
        var range = storage.Value.ProbeBytes;
        await using var file = new FileStream(local, FileMode.Create, FileAccess.Write, FileShare.None);
        file.SetLength(size);
        var head = Math.Min(range, size);
        await recordings.DownloadRangeAsync(blobName, 0, head, file, cancellationToken);
        var tail = Math.Max(head, size - range);
        if (tail < size)
        {
            file.Position = tail;
            await recordings.DownloadRangeAsync(blobName, tail, size - tail, file, cancellationToken);
        }
    }

    private async Task<JobSummary> AcceptAsync(string jobId, string local, JobOptions options, CancellationToken cancellationToken)
    {
        var probe = await ProbeAsync(local, cancellationToken);

        // From the file, so the SDK uploads its blocks in parallel (the size limit was enforced while copying).
        await recordings.SaveFileAsync(RecordingStore.SourceBlob(jobId), local, cancellationToken);

        cache.Keep(jobId, local);
        return await CreateJobAsync(jobId, probe, options, cancellationToken);
    }

    /// <summary>
    /// Before anything is stored or started: a recording outside the decode bounds is refused here, with a 4xx, rather
    /// than accepted and left to exhaust the master in the full decode.
    /// </summary>
    private async Task<AudioProbeResult> ProbeAsync(string local, CancellationToken cancellationToken)
    {
        if (new FileInfo(local).Length == 0)
        {
            throw new EmptyUploadException();
        }

        var probe = await audio.ProbeAsync(local, cancellationToken);
        return probe.IsAudio ? probe : throw new NotAudioException($"not an audio file ffmpeg can read ({probe.FormatName}).");
    }

    private async Task<JobSummary> CreateJobAsync(string jobId, AudioProbeResult probe, JobOptions options, CancellationToken cancellationToken)
    {
        var (filename, purify, language, callbackUrl) = options;
        var now = time.GetUtcNow();
        var job = new JobSummary
        {
            JobId = jobId,
            Filename = DisplayName(filename),
            CreatedAt = now,
            UpdatedAt = now,
            Purify = purify ?? await preferences.GetUsePurifierAsync(cancellationToken),
            Language = CheckLanguage(language),
            DurationMs = probe.Duration?.TotalMilliseconds,
            CallbackUrl = callbackUrl,
            Owner = options.Owner,
        };
        await progress.CreateAsync(job, cancellationToken);
        return job;
    }

    /// <summary>
    /// Fails a job whose orchestration could not be scheduled, so it does not sit in <c>created</c> forever;
    /// its upload stays for the retention period.
    /// </summary>
    public Task<JobSummary> FailUnstartedAsync(string jobId, Exception reason, CancellationToken cancellationToken) =>
        progress.SetStatusAsync(jobId, new JobTransition(JobStatus.Failed, $"The job could not be started ({reason.GetType().Name}: {reason.Message}); submit the recording again."), cancellationToken);

    /// <summary>
    /// The job's language as every worker will be asked for it (<see cref="LanguageCode"/>: <c>pt_BR</c> → <c>pt</c>,
    /// <c>english</c> → <c>en</c>); throws <see cref="InvalidRequestException"/> for what no engine knows.
    /// </summary>
    public static string? CheckLanguage(string? language) =>
        LanguageCode.TryNormalize(language, out var code)
            ? code
            : throw new InvalidRequestException($"language '{Shorten(language!.Trim())}' is not one the workers know: send {LanguageCode.Expected}.");

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private string NewJobId() => Guid.CreateVersion7(time.GetUtcNow()).ToString("D");

    private static string LocalPath(string jobId) => Path.Combine(Path.GetTempPath(), $"orchard-upload-{jobId}");

    private static async Task CopyLimitedAsync(Stream content, Stream target, long limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > limit)
            {
                throw new UploadTooLargeException(limit);
            }

            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    /// <summary>
    /// The file name only shows in listings; any name is accepted, made safe to show: no path, no control
    /// characters, at most 255 characters.
    /// </summary>
    public static string DisplayName(string? filename)
    {
        var name = (filename ?? string.Empty).Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..];
        name = new string(name.Where(c => !char.IsControl(c)).ToArray()).Trim();
        if (name is "" or "." or "..")
        {
            name = "recording";
        }

        return name.Length <= 255 ? name : name[..255];
    }
}

/// <summary>
/// A recording as a request brings it: a stream (body or multipart file) or the id of a direct upload, with the
/// job's options.
/// </summary>
public sealed record JobUpload(Stream? Content, string? UploadId, string? Filename, bool? Purify, string? Language)
{
    /// <summary>Where to POST the signed job summary once it has finished (see <see cref="CallbackDelivery"/>).</summary>
    public string? CallbackUrl { get; init; }

    /// <summary>Who submits it (<see cref="Security.CallerIdentity.Owner"/>); recorded on the job.</summary>
    public string? Owner { get; init; }

    /// <summary>The size <c>POST /uploads</c> was told, for an upload: a larger committed blob is refused.</summary>
    public long? DeclaredBytes { get; init; }
}

/// <summary>What a submission asks of its job, checked.</summary>
internal sealed record JobOptions(string? Filename, bool? Purify, string? Language, string? CallbackUrl)
{
    public string? Owner { get; init; }

    public long? DeclaredBytes { get; init; }
}
