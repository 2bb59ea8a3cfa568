using System.Collections.Concurrent;
using Orchard.Domain.Jobs;
using Orchard.Domain.Storage;
using Orchard.Domain.Transcripts;

namespace Orchard.Domain.Dispatch;

/// <summary>Reads a job's manifest and chunk results, assembles the transcript and stores it as a blob.</summary>
public sealed class TranscriptBuilder(RecordingStore recordings, JobProgress progress)
{
    /// <summary>The reason a gap of a cancelled job carries.</summary>
    public const string CancelledReason = "The job was cancelled before this chunk was transcribed.";

    /// <summary>The reason a gap carries when the job failed without naming the chunk.</summary>
    public const string FailedReason = "The job failed before this chunk was transcribed.";

    /// <summary>
    /// Moves the job to aggregating, builds and stores the transcript, and completes the job; returns the segment
    /// count. Throws when a speech chunk has no answer (the orchestration then fails the job, naming it).
    /// </summary>
    public async Task<int> BuildAsync(string jobId, CancellationToken cancellationToken)
    {
        await progress.SetStatusAsync(jobId, new JobTransition(JobStatus.Aggregating), cancellationToken);
        var manifest = await progress.ManifestAsync(jobId, cancellationToken);
        var transcript = TranscriptAssembler.Assemble(manifest, await ResultsAsync(jobId, manifest, cancellationToken));
        await recordings.SaveJsonAsync(TranscriptAssembler.BlobName(jobId), transcript, cancellationToken);
        await progress.SetStatusAsync(jobId, new JobTransition(JobStatus.Completed, DurationMs: manifest.DurationMs), cancellationToken);
        return transcript.SegmentsCount;
    }

    /// <summary>
    /// Ends a job whose dispatch gave up on some chunks (<paramref name="failures"/>) or stopped (<paramref name="stopReason"/>):
    /// stores the transcript of everything transcribed, with a gap for each chunk without an answer; marks those
    /// chunks failed with their reasons; fails the job with an error naming them and their ranges on the original
    /// timeline. Should every chunk have an answer after all (one stored before its failure was reported), the job
    /// completes instead. Idempotent: every write is absolute.
    /// </summary>
    public async Task<PartialBuild> BuildPartialAsync(string jobId, IReadOnlyList<ChunkFailure> failures, string? stopReason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failures);
        var manifest = await progress.ManifestAsync(jobId, cancellationToken);
        var results = await ResultsAsync(jobId, manifest, cancellationToken);
        var reasons = failures.GroupBy(f => f.Index).ToDictionary(g => g.Key, g => g.Last().Reason);
        var transcript = TranscriptAssembler.AssemblePartial(manifest, results, reasons, stopReason ?? "No answer was stored for this chunk.");
        var gaps = transcript.Gaps!;
        if (gaps.Count == 0)
        {
            return new PartialBuild(JobStatus.Completed, await BuildAsync(jobId, cancellationToken), 0, null);
        }

        // The transcript is stored before the job shows failed, so a failed job always has one to download.
        await recordings.SaveJsonAsync(TranscriptAssembler.BlobName(jobId), transcript, cancellationToken);
        await progress.FailChunksAsync(jobId, gaps.ToDictionary(g => g.ChunkIndex, g => g.Reason), cancellationToken);

        var error = TranscriptAssembler.Describe(jobId, gaps, reasons, stopReason);
        await progress.SetStatusAsync(jobId, new JobTransition(JobStatus.Failed, error, manifest.DurationMs), cancellationToken);
        return new PartialBuild(JobStatus.Failed, transcript.SegmentsCount, gaps.Count, error);
    }

    /// <summary>
    /// What a finished job kept: its stored transcript, or, for a failed or cancelled job without one (cancelled
    /// through the API, or failed before partial transcripts were kept), the partial transcript built from its stored
    /// answers and stored for next time (such a job changes no more). Null when there is nothing: the job ended
    /// before it was split, or it is still running.
    /// </summary>
    public async Task<Transcript?> KeptAsync(string jobId, JobStatus status, CancellationToken cancellationToken)
    {
        if (!JobLifecycle.IsTerminal(status))
        {
            return null;
        }

        var stored = await progress.TranscriptAsync(jobId, cancellationToken);
        if (stored is not null || status == JobStatus.Completed)
        {
            return stored;
        }

        var manifest = await recordings.TryLoadJsonAsync<ChunkManifest>(ChunkManifest.BlobName(jobId), cancellationToken);
        if (manifest is null)
        {
            return null;
        }

        var reason = status == JobStatus.Cancelled ? CancelledReason : FailedReason;
        var transcript = TranscriptAssembler.AssemblePartial(manifest, await ResultsAsync(jobId, manifest, cancellationToken), new Dictionary<int, string>(), reason);
        await recordings.SaveJsonAsync(TranscriptAssembler.BlobName(jobId), transcript, cancellationToken);
        return transcript;
    }

    private async Task<IReadOnlyDictionary<int, ChunkResult>> ResultsAsync(string jobId, ChunkManifest manifest, CancellationToken cancellationToken)
    {
        var results = new ConcurrentDictionary<int, ChunkResult>();
        // Answers are read several at a time: a 10-hour job has over a thousand of them.
        await Parallel.ForEachAsync(manifest.Chunks.Where(c => !c.IsSilent), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            if (await recordings.TryLoadJsonAsync<ChunkResult>(RecordingStore.ResultBlob(jobId, chunk.Index), ct) is { } result)
            {
                results[chunk.Index] = result;
            }
        });
        return results;
    }
}
