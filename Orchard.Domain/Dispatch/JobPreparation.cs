using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orchard.Domain.Audio;
using Orchard.Domain.Jobs;
using Orchard.Domain.Json;
using Orchard.Domain.State;
using Orchard.Domain.Storage;
using Orchard.Domain.Transcripts;
using Orchard.Domain.Workers;

namespace Orchard.Domain.Dispatch;

/// <summary>A prepared job as the orchestration sees it: only the speech chunks, with the audio each sends.</summary>
public sealed record PreparedJob(double DurationMs, int TotalChunks, IReadOnlyList<PendingChunk> SpeechChunks);

/// <summary>
/// Purifies and splits a job's source recording and stores the chunks and their manifest in Blob Storage. Each chunk
/// is stored and offered to the workers as soon as it is cut, while the rest of the recording is still being cut.
/// Idempotent: a manifest already written (a re-run after a crash) is reused, not cut again; a re-run of a cut that
/// was interrupted cuts the recording again (the same input and settings give the same chunks), keeps every chunk
/// already stored as it is and stores the others.
/// </summary>
public sealed partial class JobPreparation(AudioPipeline audio, RecordingStore recordings, JobProgress progress, LocalSourceCache cache, ILeaseStore leases, ReadySignal signal, TimeProvider time, ILogger<JobPreparation> logger)
{
    /// <summary>
    /// Chunks stored at once: several uploads keep the bandwidth busy, and as each needs the next chunk cut before it
    /// takes one, the cutting is never more than this many chunks ahead of the store (bounding the WAVs on disk).
    /// </summary>
    private const int StoreParallelism = 8;

    /// <summary>
    /// Moves the job through purifying (or purifier_bypassed) → purifier_completed → splitting → processing as it
    /// works, so the orchestration needs one step for the whole phase.
    /// </summary>
    /// <remarks>
    /// Each speech chunk is offered to the workers (<paramref name="language"/>: the job's, null for detection) as soon
    /// as it is cut and its blob stored, so the first answers can arrive before the rest of the recording is cut.
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
            await OfferAsync(jobId, manifest.Chunks.Where(c => !c.IsSilent), language, trustedOnly, cancellationToken);
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

    private async Task OfferAsync(string jobId, IEnumerable<ManifestChunk> chunks, string? language, bool trustedOnly, CancellationToken cancellationToken)
    {
        var code = language is null or LanguageCode.Auto ? null : language;
        var offers = chunks.Select(c => new ChunkOffer(jobId, c.Index, ChunkRecord.IdFor(jobId, c.Index), c.SentMs, code) { TrustedOnly = trustedOnly }).ToArray();
        if (await leases.OfferAsync(offers, cancellationToken) is > 0 and var ready)
        {
            await signal.NotifyAsync(ready);
        }
    }

    private async Task<ChunkManifest> CutAsync(string jobId, bool purify, string? language, bool trustedOnly, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
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

            // The chunks an interrupted run stored: found again as the recording is cut again, and kept as they are.
            var earlier = (await progress.StoredChunksAsync(jobId, cancellationToken)).ToDictionary(c => c.Index);
            var live = earlier.Count == 0 ? null
                : (await progress.JobDocumentAsync(jobId, cancellationToken))?.Chunks.Select(c => c.Index).ToHashSet();
            ChunkManifest manifest;
            await using (var preparing = await audio.OpenAsync(source, purify, Path.Combine(work.FullName, "chunks"), null, cancellationToken))
            {
                if (purify)
                {
                    await progress.SetStatusAsync(jobId, new JobTransition(JobStatus.PurifierCompleted), cancellationToken);
                }

                await progress.SetStatusAsync(jobId, new JobTransition(JobStatus.Splitting, DurationMs: preparing.DurationMs), cancellationToken);
                var cut = new ConcurrentBag<ManifestChunk>();
                var offered = 0;
                await Parallel.ForEachAsync(
                    preparing.ChunksAsync(cancellationToken),
                    new ParallelOptions { MaxDegreeOfParallelism = StoreParallelism, CancellationToken = cancellationToken },
                    async (chunk, ct) =>
                    {
                        var facts = Facts(chunk);
                        await StoreAsync(jobId, chunk, facts, earlier.GetValueOrDefault(chunk.Index), live?.Contains(chunk.Index) ?? false, ct);
                        if (!facts.IsSilent)
                        {
                            await OfferAsync(jobId, [facts], language, trustedOnly, ct);
                            if (Interlocked.Increment(ref offered) == 1)
                            {
                                LogFirstOffered(logger, jobId, facts.Index, time.GetElapsedTime(started).TotalMilliseconds);
                            }
                        }

                        cut.Add(facts);
                    });

                manifest = new ChunkManifest
                {
                    JobId = jobId,
                    DurationMs = preparing.DurationMs,
                    Purified = preparing.IsPurified,
                    Chunks = cut.OrderBy(c => c.Index).ToArray(),
                };
            }

            // Last, once every chunk is stored: a manifest means the whole recording is cut (a re-run reuses it).
            await progress.SaveManifestAsync(manifest, cancellationToken);
            return manifest;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Stores one chunk before it is offered: its audio, then its facts (so facts stored mean audio stored), then its
    /// record in the live view. A chunk an interrupted run stored is left as it is, having been offered already and
    /// perhaps leased or answered, once it is known to be the same chunk.
    /// </summary>
    private async Task StoreAsync(string jobId, PreparedChunk chunk, ManifestChunk facts, ManifestChunk? earlier, bool inLiveView, CancellationToken cancellationToken)
    {
        try
        {
            if (earlier is not null)
            {
                if (!SameChunk(earlier, facts))
                {
                    throw new RecutMismatchException(jobId, chunk.Index);
                }

                if (!inLiveView)
                {
                    await progress.AddChunkAsync(jobId, earlier, cancellationToken);
                }

                return;
            }

            if (chunk.WavPath is not null)
            {
                await recordings.SaveFileAsync(RecordingStore.ChunkBlob(jobId, chunk.Index), chunk.WavPath, cancellationToken);
            }

            await recordings.SaveJsonAsync(RecordingStore.ChunkFactsBlob(jobId, chunk.Index), facts, cancellationToken);
            await progress.AddChunkAsync(jobId, facts, cancellationToken);
        }
        finally
        {
            // Stored (or kept): the WAV on disk is no longer needed, so the disk holds only the chunks in flight.
            if (chunk.WavPath is not null)
            {
                File.Delete(chunk.WavPath);
            }
        }
    }

    private static ManifestChunk Facts(PreparedChunk c) => new()
    {
        Index = c.Index,
        StartMs = c.StartMs,
        EndMs = c.EndMs,
        IsSilent = c.IsSilent,
        SentMs = c.IsSilent ? 0 : c.CompactedDurationMs,
        Map = c.Map,
    };

    /// <summary>Same place, same audio sent and the same map: what workers were given and answers are mapped with.</summary>
    private static bool SameChunk(ManifestChunk a, ManifestChunk b) =>
        OrchardJson.Serialize(a) == OrchardJson.Serialize(b);

    [LoggerMessage(Level = LogLevel.Information, Message = "Offered the first chunk ({ChunkIndex}) of job {JobId} {ElapsedMs:F0} ms after its preparation started")]
    private static partial void LogFirstOffered(ILogger logger, string jobId, int chunkIndex, double elapsedMs);
}
