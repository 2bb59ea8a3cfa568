using Orchard.Domain.Audio;
using Orchard.Domain.Jobs;
using Orchard.Domain.Storage;

namespace Orchard.Domain.Dispatch;

/// <summary>A prepared job as the orchestration sees it: only the speech chunks, with the audio each sends.</summary>
public sealed record PreparedJob(double DurationMs, int TotalChunks, IReadOnlyList<PendingChunk> SpeechChunks);

/// <summary>
/// Purifies and splits a job's source recording and stores the chunks and their manifest in Blob Storage.
/// Idempotent: a manifest already written (a re-run after a crash) is reused, not cut again.
/// </summary>
public sealed class JobPreparation(AudioPipeline audio, RecordingStore recordings, JobProgress progress, LocalSourceCache cache)
{
    /// <summary>
    /// Moves the job through purifying (or purifier_bypassed) → purifier_completed → splitting → processing as it
    /// works, so the orchestration needs one step for the whole phase.
    /// </summary>
    public async Task<PreparedJob> PrepareAsync(string jobId, bool purify, CancellationToken cancellationToken)
    {
        await progress.SetStatusAsync(jobId, new JobTransition(purify ? JobStatus.Purifying : JobStatus.PurifierBypassed), cancellationToken);
        var manifest = await recordings.TryLoadJsonAsync<ChunkManifest>(ChunkManifest.BlobName(jobId), cancellationToken)
            ?? await CutAsync(jobId, purify, cancellationToken);
        if (purify)
        {
            await progress.SetStatusAsync(jobId, new JobTransition(JobStatus.PurifierCompleted), cancellationToken);
        }

        await progress.SetStatusAsync(jobId, new JobTransition(JobStatus.Splitting, DurationMs: manifest.DurationMs), cancellationToken);
        await progress.InitializeChunksAsync(manifest, cancellationToken);
        await progress.SetStatusAsync(jobId, new JobTransition(JobStatus.Processing), cancellationToken);
        var speech = manifest.Chunks.Where(c => !c.IsSilent).Select(c => new PendingChunk(c.Index, c.SentMs, 0)).ToArray();
        return new PreparedJob(manifest.DurationMs, manifest.Chunks.Count, speech);
    }

    private async Task<ChunkManifest> CutAsync(string jobId, bool purify, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory($"orchard-{jobId}-");
        try
        {
            var source = Path.Combine(work.FullName, "source");
            // A direct upload was copied server-side when it was submitted: the copy may still be running.
            await recordings.AwaitCopyAsync(RecordingStore.SourceBlob(jobId), RecordingStore.CopyWaitLimit, cancellationToken);
            if (!cache.TryTake(jobId, source))
            {
                await recordings.DownloadSourceAsync(jobId, source, cancellationToken);
            }

            var prepared = await audio.PrepareAsync(source, purify, Path.Combine(work.FullName, "chunks"), cancellationToken);
            File.Delete(source);
            // Several uploads at once: one at a time leaves the storage account's bandwidth mostly idle.
            await Parallel.ForEachAsync(
                prepared.Chunks.Where(c => c.WavPath is not null),
                new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                async (chunk, ct) => await recordings.SaveFileAsync(RecordingStore.ChunkBlob(jobId, chunk.Index), chunk.WavPath!, ct));

            var manifest = new ChunkManifest
            {
                JobId = jobId,
                DurationMs = prepared.DurationMs,
                Purified = prepared.Purified,
                Chunks = prepared.Chunks.Select(c => new ManifestChunk
                {
                    Index = c.Index,
                    StartMs = c.StartMs,
                    EndMs = c.EndMs,
                    IsSilent = c.IsSilent,
                    SentMs = c.IsSilent ? 0 : c.CompactedDurationMs,
                    Map = c.Map,
                }).ToArray(),
            };

            // The manifest goes last: its presence means every chunk blob is there.
            await recordings.SaveJsonAsync(ChunkManifest.BlobName(jobId), manifest, cancellationToken);
            return manifest;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
