using Orchard.Domain.Jobs;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Storage;

namespace Orchard.Domain.Transcripts;

/// <summary>Reads a job's manifest and chunk results, assembles the transcript and stores it as a blob.</summary>
public sealed class TranscriptBuilder(RecordingStore recordings, JobProgress progress)
{
    /// <summary>
    /// Moves the job to aggregating, builds and stores the transcript, and completes the job; returns the segment
    /// count. Throws when a speech chunk has no answer (the orchestration then fails the job, naming it).
    /// </summary>
    public async Task<int> BuildAsync(string jobId, CancellationToken cancellationToken)
    {
        await progress.SetStatusAsync(jobId, new JobTransition(JobStatus.Aggregating), cancellationToken);
        var manifest = await progress.ManifestAsync(jobId, cancellationToken);
        var results = new System.Collections.Concurrent.ConcurrentDictionary<int, ChunkResult>();
        // Answers are read several at a time: a 10-hour job has over a thousand of them.
        await Parallel.ForEachAsync(manifest.Chunks.Where(c => !c.IsSilent), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            if (await recordings.TryLoadJsonAsync<ChunkResult>(RecordingStore.ResultBlob(jobId, chunk.Index), ct) is { } result)
            {
                results[chunk.Index] = result;
            }
        });

        var transcript = TranscriptAssembler.Assemble(manifest, results);
        await recordings.SaveJsonAsync(TranscriptAssembler.BlobName(jobId), transcript, cancellationToken);
        await progress.SetStatusAsync(jobId, new JobTransition(JobStatus.Completed, DurationMs: manifest.DurationMs), cancellationToken);
        return transcript.SegmentsCount;
    }
}
