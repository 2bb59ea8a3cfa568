using Orchard.Domain.Audio;
using Orchard.Domain.Jobs;
using Orchard.Domain.State;
using Orchard.Domain.Storage;
using Orchard.Domain.Workers;

namespace Orchard.Domain.Dispatch;

/// <summary>A prepared job as the orchestration sees it: only the speech chunks, with the audio each sends.</summary>
public sealed record PreparedJob(double DurationMs, int TotalChunks, IReadOnlyList<PendingChunk> SpeechChunks);

/// <summary>
/// Purifies and splits a job's source recording and stores the chunks and their manifest in Blob Storage.
/// Idempotent: a manifest already written (a re-run after a crash) is reused, not cut again.
/// </summary>
public sealed class JobPreparation(AudioPipeline audio, RecordingStore recordings, JobProgress progress, LocalSourceCache cache, ILeaseStore leases, ReadySignal signal)
{
    /// <summary>
    /// Moves the job through purifying (or purifier_bypassed) → purifier_completed → splitting → processing as it
    /// works, so the orchestration needs one step for the whole phase.
    /// </summary>
    /// <remarks>
    /// Each speech chunk is offered to the workers (<paramref name="language"/>: the job's, null for detection) as soon
    /// as its blob is stored, so the first answers can arrive before the orchestration has heard the split is done.
    /// </remarks>
    public async Task<PreparedJob> PrepareAsync(string jobId, bool purify, string? language, bool trustedOnly, CancellationToken cancellationToken)
    {
        await progress.SetStatusAsync(jobId, new JobTransition(purify ? JobStatus.Purifying : JobStatus.PurifierBypassed), cancellationToken);
        var manifest = await recordings.TryLoadJsonAsync<ChunkManifest>(ChunkManifest.BlobName(jobId), cancellationToken);
        if (manifest is null || !await AllChunksStoredAsync(manifest, cancellationToken))
        {
            manifest = await CutAsync(jobId, purify, language, trustedOnly, cancellationToken);
        }
        else
        {
            // A re-run after a crash: chunks already answered or leased are left as they are, in the queue and the view.
            if (purify)
            {
                await progress.SetStatusAsync(jobId, new JobTransition(JobStatus.PurifierCompleted), cancellationToken);
            }

            await progress.SetStatusAsync(jobId, new JobTransition(JobStatus.Splitting, DurationMs: manifest.DurationMs), cancellationToken);
            await OfferAsync(manifest, manifest.Chunks.Where(c => !c.IsSilent), language, trustedOnly, cancellationToken);
        }

        await progress.SetStatusAsync(jobId, new JobTransition(JobStatus.Processing), cancellationToken);
        var speech = manifest.Chunks.Where(c => !c.IsSilent).Select(c => new PendingChunk(c.Index, c.SentMs, 0)).ToArray();
        return new PreparedJob(manifest.DurationMs, manifest.Chunks.Count, speech);
    }

    private async Task<bool> AllChunksStoredAsync(ChunkManifest manifest, CancellationToken cancellationToken)
    {
        foreach (var chunk in manifest.Chunks.Where(c => !c.IsSilent))
        {
            if (!await recordings.ExistsAsync(RecordingStore.ChunkBlob(manifest.JobId, chunk.Index), cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    private async Task OfferAsync(ChunkManifest manifest, IEnumerable<ManifestChunk> chunks, string? language, bool trustedOnly, CancellationToken cancellationToken)
    {
        var code = language is null or LanguageCode.Auto ? null : language;
        var offers = chunks.Select(c => new ChunkOffer(manifest.JobId, c.Index, ChunkRecord.IdFor(manifest.JobId, c.Index), c.SentMs, code) { TrustedOnly = trustedOnly }).ToArray();
        if (await leases.OfferAsync(offers, cancellationToken) is > 0 and var ready)
        {
            await signal.NotifyAsync(ready);
        }
    }

    private async Task<ChunkManifest> CutAsync(string jobId, bool purify, string? language, bool trustedOnly, CancellationToken cancellationToken)
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

            // The manifest first (the live view and every instance read chunk facts from it), then each chunk's
            // audio, offered to the workers the moment it is stored; a re-run checks every chunk blob is there.
            await recordings.SaveJsonAsync(ChunkManifest.BlobName(jobId), manifest, cancellationToken);
            if (purify)
            {
                await progress.SetStatusAsync(jobId, new JobTransition(JobStatus.PurifierCompleted), cancellationToken);
            }

            await progress.SetStatusAsync(jobId, new JobTransition(JobStatus.Splitting, DurationMs: manifest.DurationMs), cancellationToken);
            await progress.InitializeChunksAsync(manifest, cancellationToken);

            // Longest first, as the fastest workers will ask for them; several uploads at once keep the bandwidth busy.
            var order = manifest.Chunks.Where(c => !c.IsSilent).OrderByDescending(c => c.SentMs).ToArray();
            var paths = prepared.Chunks.Where(c => c.WavPath is not null).ToDictionary(c => c.Index, c => c.WavPath!);
            await Parallel.ForEachAsync(
                order,
                new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                async (chunk, ct) =>
                {
                    await recordings.SaveFileAsync(RecordingStore.ChunkBlob(jobId, chunk.Index), paths[chunk.Index], ct);
                    await OfferAsync(manifest, [chunk], language, trustedOnly, ct);
                });

            return manifest;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
