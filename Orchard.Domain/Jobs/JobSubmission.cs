using Microsoft.Extensions.Options;
using Orchard.Domain.Audio;
using Orchard.Domain.Dispatch;
using Orchard.Domain.State;
using Orchard.Domain.Storage;
using Orchard.Domain.Webhooks;

namespace Orchard.Domain.Jobs;

/// <summary>
/// Accepts a recording: stores it under a new job id (never the user's file name), probes it so what is not audio
/// is refused at once, and records the job. The caller then starts its orchestration.
/// </summary>
public sealed class JobSubmission(
    RecordingStore recordings, JobProgress progress, IPreferenceStore preferences, AudioPipeline audio, AudioTools tools, CallbackDelivery callbacks, IOptions<StorageOptions> storage, TimeProvider time)
{
    /// <summary>
    /// Throws <see cref="EmptyUploadException"/>, <see cref="UploadTooLargeException"/>, or an
    /// <see cref="AudioException"/> (<see cref="NotAudioException"/> for what is not audio,
    /// <see cref="AudioLimitException"/> for audio outside the sample rate, channel or duration bounds).
    /// </summary>
    public Task<JobSummary> SubmitAsync(Stream content, string? filename, bool? purify, string? language, CancellationToken cancellationToken) =>
        SubmitStreamAsync(content, new JobOptions(filename, purify, language, null), cancellationToken);

    private async Task<JobSummary> SubmitStreamAsync(Stream content, JobOptions job, CancellationToken cancellationToken)
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

            return await AcceptAsync(jobId, local, job, cancellationToken);
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
        var options = new JobOptions(upload.Filename, upload.Purify, CheckLanguage(upload.Language), callbacks.CheckUrl(upload.CallbackUrl));
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

        var jobId = NewJobId();
        var local = LocalPath(jobId);
        try
        {
            await recordings.DownloadAsync(RecordingStore.UploadBlob(uploadId), local, cancellationToken);
            var job = await AcceptAsync(jobId, local, options, cancellationToken);
            await recordings.DeleteBlobAsync(RecordingStore.UploadBlob(uploadId), cancellationToken);
            return job;
        }
        finally
        {
            File.Delete(local);
        }
    }

    private async Task<JobSummary> AcceptAsync(string jobId, string local, JobOptions options, CancellationToken cancellationToken)
    {
        var (filename, purify, language, callbackUrl) = options;
        var length = new FileInfo(local).Length;
        if (length == 0)
        {
            throw new EmptyUploadException();
        }

        // Before anything is stored or started: a recording outside the decode bounds is refused here, with a 4xx,
        // rather than accepted and left to exhaust the master in the full decode.
        var probe = await audio.ProbeAsync(local, cancellationToken);
        if (!probe.IsAudio)
        {
            throw new NotAudioException($"not an audio file ffmpeg can read ({probe.FormatName}).");
        }

        // From the file, so the SDK uploads its blocks in parallel (the size limit was enforced while copying).
        await recordings.SaveFileAsync(RecordingStore.SourceBlob(jobId), local, cancellationToken);

        LocalSourceCache.Keep(jobId, local);
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
}

/// <summary>What a submission asks of its job, checked.</summary>
internal sealed record JobOptions(string? Filename, bool? Purify, string? Language, string? CallbackUrl);
