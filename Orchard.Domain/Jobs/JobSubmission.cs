using Orchard.Domain.Audio;
using Orchard.Domain.Dispatch;
using Orchard.Domain.State;
using Orchard.Domain.Storage;

namespace Orchard.Domain.Jobs;

/// <summary>
/// Accepts a recording: stores it under a new job id (never the user's file name), probes it so what is not audio
/// is refused at once, and records the job. The caller then starts its orchestration.
/// </summary>
public sealed class JobSubmission(RecordingStore recordings, JobProgress progress, IPreferenceStore preferences, AudioPipeline audio, TimeProvider time)
{
    /// <summary>
    /// Throws <see cref="EmptyUploadException"/>, <see cref="UploadTooLargeException"/>, or an
    /// <see cref="AudioException"/> (<see cref="NotAudioException"/> for what is not audio).
    /// </summary>
    public async Task<JobSummary> SubmitAsync(Stream content, string? filename, bool? purify, string? language, CancellationToken cancellationToken)
    {
        var jobId = Guid.CreateVersion7(time.GetUtcNow()).ToString("D");
        var local = Path.Combine(Path.GetTempPath(), $"orchard-upload-{jobId}");
        try
        {
            // Probing needs a file; the local copy is then what goes to Blob Storage.
            await using (var file = File.Create(local))
            {
                await content.CopyToAsync(file, cancellationToken);
            }

            var length = new FileInfo(local).Length;
            if (length == 0)
            {
                throw new EmptyUploadException();
            }

            var probe = await audio.ProbeAsync(local, cancellationToken);
            if (!probe.IsAudio)
            {
                throw new NotAudioException($"not an audio file ffmpeg can read ({probe.FormatName}).");
            }

            await using (var file = File.OpenRead(local))
            {
                await recordings.SaveSourceAsync(jobId, file, cancellationToken);
            }

            var now = time.GetUtcNow();
            var job = new JobSummary
            {
                JobId = jobId,
                Filename = DisplayName(filename),
                CreatedAt = now,
                UpdatedAt = now,
                Purify = purify ?? await preferences.GetUsePurifierAsync(cancellationToken),
                Language = string.IsNullOrWhiteSpace(language) ? null : language.Trim(),
                DurationMs = probe.Duration?.TotalMilliseconds,
            };
            await progress.CreateAsync(job, cancellationToken);
            return job;
        }
        finally
        {
            File.Delete(local);
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
