using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orchard.Domain.Jobs;
using Orchard.Domain.Storage;
using Orchard.Domain.Transcripts;

namespace Orchard.Domain.Dispatch;

/// <summary>
/// Writes a job's live view as its orchestration moves, and writes it again whole from the blobs (the job's
/// request, manifest and chunk results) when Redis has lost it: a restart, an eviction, a manual DEL.
/// </summary>
public sealed partial class JobProgress(IJobStore jobs, RecordingStore recordings, TimeProvider time, ILogger<JobProgress> logger)
{
    private const int ManifestCacheSize = 64;
    private readonly ConcurrentDictionary<string, ChunkManifest> manifests = new(StringComparer.Ordinal);

    public static string RequestBlob(string jobId) => $"jobs/{jobId}/job.json";

    /// <summary>Records a new job in Blob Storage (the durable copy of its request) and in the live view.</summary>
    public async Task CreateAsync(JobSummary job, CancellationToken cancellationToken)
    {
        await recordings.SaveJsonAsync(RequestBlob(job.JobId), job, cancellationToken);
        await jobs.CreateAsync(job, cancellationToken);
    }

    /// <summary>
    /// Moves the job's status. A re-run of an earlier step (the job is already further on) changes nothing;
    /// a lost record is restored first.
    /// </summary>
    public async Task<JobSummary> SetStatusAsync(string jobId, JobTransition transition, CancellationToken cancellationToken)
    {
        var summary = await TransitionAsync(jobId, transition, cancellationToken);
        if (summary.Status == transition.Status && JobLifecycle.IsTerminal(summary.Status))
        {
            // Written again on a replay: harmless, the document is the same.
            await ArchiveAsync(jobId, cancellationToken);
        }

        return summary;
    }

    /// <summary>
    /// True when the job was cancelled: a worker's answer that arrives afterwards is to be discarded (the worker is
    /// still released). For the dispatcher to ask once a worker has answered.
    /// </summary>
    public async Task<bool> IsCancelledAsync(string jobId, CancellationToken cancellationToken)
    {
        var summary = await jobs.GetAsync(jobId, cancellationToken)
            ?? (await recordings.TryLoadJsonAsync<JobDocument>(RecordingStore.FinishedBlob(jobId), cancellationToken))?.Summary;
        return summary?.Status == JobStatus.Cancelled;
    }

    /// <summary>
    /// Records how the job's callback went, in the live record and in the finished document (which outlives it); when
    /// the live record has expired, in the finished document only.
    /// </summary>
    public async Task RecordCallbackAsync(string jobId, Webhooks.CallbackState state, CancellationToken cancellationToken)
    {
        if (await jobs.SetCallbackAsync(jobId, state, cancellationToken))
        {
            await ArchiveAsync(jobId, cancellationToken);
        }
        else if (await recordings.TryLoadJsonAsync<JobDocument>(RecordingStore.FinishedBlob(jobId), cancellationToken) is { } archived)
        {
            await recordings.SaveFinishedAsync(new JobDocumentSnapshot(archived with { Summary = archived.Summary with { Callback = state } }), cancellationToken);
        }
    }

    /// <summary>Copies a finished job's document to Blob Storage, where it outlives its Redis record.</summary>
    private async Task ArchiveAsync(string jobId, CancellationToken cancellationToken)
    {
        if (await jobs.GetDocumentAsync(jobId, cancellationToken) is { } document)
        {
            await recordings.SaveFinishedAsync(new JobDocumentSnapshot(document), cancellationToken);
        }
    }

    private async Task<JobSummary> TransitionAsync(string jobId, JobTransition transition, CancellationToken cancellationToken)
    {
        try
        {
            return await jobs.TransitionAsync(jobId, transition, cancellationToken);
        }
        catch (JobNotFoundException)
        {
            LogRestoring(logger, jobId);
            await RestoreAsync(jobId, PreviousOf(transition.Status), cancellationToken);
            return await jobs.TransitionAsync(jobId, transition, cancellationToken);
        }
        catch (InvalidJobTransitionException ex) when (!JobLifecycle.IsTerminal(ex.From) && Rank(ex.From) > Rank(transition.Status))
        {
            return (await jobs.GetAsync(jobId, cancellationToken))!;
        }
    }

    /// <summary>Writes every chunk of a fresh manifest (pending or silent).</summary>
    public async Task InitializeChunksAsync(ChunkManifest manifest, CancellationToken cancellationToken)
    {
        Remember(manifest);
        var records = manifest.Chunks.Select(c => BaseRecord(manifest.JobId, c)).ToArray();
        if (!await jobs.SetChunksAsync(manifest.JobId, records, cancellationToken))
        {
            await RestoreAsync(manifest.JobId, JobStatus.Splitting, cancellationToken);
            await jobs.SetChunksAsync(manifest.JobId, records, cancellationToken);
        }
    }

    /// <summary>Sets one chunk absolutely: its manifest facts plus what <paramref name="update"/> says.</summary>
    public async Task SetChunkAsync(string jobId, Func<ChunkRecord, ChunkRecord> update, int index, CancellationToken cancellationToken)
    {
        var manifest = await ManifestAsync(jobId, cancellationToken);
        var record = update(BaseRecord(jobId, manifest.Chunks[index]));
        if (!await jobs.SetChunksAsync(jobId, [record], cancellationToken))
        {
            LogRestoring(logger, jobId);
            await RestoreAsync(jobId, JobStatus.Processing, cancellationToken);
            await jobs.SetChunksAsync(jobId, [record], cancellationToken);
        }
    }

    /// <summary>
    /// Marks chunks the job ends without as failed, each with its reason, keeping what their records already tell
    /// (worker, attempts, times). One write for all of them; the job is ending, so nothing else writes these chunks.
    /// </summary>
    public async Task FailChunksAsync(string jobId, IReadOnlyDictionary<int, string> reasons, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        var manifest = await ManifestAsync(jobId, cancellationToken);
        var live = (await jobs.GetDocumentAsync(jobId, cancellationToken))?.Chunks.ToDictionary(c => c.Index);
        var records = reasons.OrderBy(r => r.Key).Select(r =>
        {
            var current = live?.GetValueOrDefault(r.Key) ?? BaseRecord(jobId, manifest.Chunks[r.Key]);
            return current with { Status = ChunkStatus.Failed, CompletedAt = null, Error = r.Value };
        }).ToArray();
        if (!await jobs.SetChunksAsync(jobId, records, cancellationToken))
        {
            LogRestoring(logger, jobId);
            await RestoreAsync(jobId, JobStatus.Processing, cancellationToken);
            await jobs.SetChunksAsync(jobId, records, cancellationToken);
        }
    }

    /// <summary>Writes the job's record again whole from the blobs, in the given status.</summary>
    public async Task RestoreAsync(string jobId, JobStatus status, CancellationToken cancellationToken)
    {
        var document = await RebuildAsync(jobId, status, cancellationToken) ?? throw new BlobMissingException(RequestBlob(jobId));
        await jobs.SaveAsync(document, cancellationToken);
    }

    /// <summary>
    /// The job as its blobs tell it (its request, its manifest and each chunk's stored answer), without writing
    /// anything; null when the job's request is gone (deleted). With no status given, a job with a manifest is
    /// <c>processing</c>, one without is as it was created.
    /// </summary>
    public async Task<JobDocument?> RebuildAsync(string jobId, JobStatus? status, CancellationToken cancellationToken)
    {
        var request = await recordings.TryLoadJsonAsync<JobSummary>(RequestBlob(jobId), cancellationToken);
        if (request is null)
        {
            return null;
        }

        var manifest = await recordings.TryLoadJsonAsync<ChunkManifest>(ChunkManifest.BlobName(jobId), cancellationToken);
        var chunks = Array.Empty<ChunkRecord>();
        if (manifest is not null)
        {
            Remember(manifest);
            chunks = new ChunkRecord[manifest.Chunks.Count];
            // Answers are read several at a time: a 10-hour job has over a thousand of them.
            await Parallel.ForEachAsync(manifest.Chunks, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (chunk, ct) =>
            {
                var record = BaseRecord(jobId, chunk);
                if (!chunk.IsSilent && await recordings.TryLoadJsonAsync<ChunkResult>(RecordingStore.ResultBlob(jobId, chunk.Index), ct) is { } result)
                {
                    record = record with { Status = ChunkStatus.Completed, WorkerId = result.WorkerId, WorkerUrl = result.WorkerUrl, Attempts = 1, SentMs = result.SentMs, Normalized = result.Normalized };
                }

                chunks[chunk.Index] = record;
            });
        }

        var known = status ?? (manifest is null ? request.Status : JobStatus.Processing);
        var summary = request with { Status = known, UpdatedAt = time.GetUtcNow(), DurationMs = manifest?.DurationMs ?? request.DurationMs };
        var document = new JobDocument(summary, chunks);
        return document with { Summary = document.CountedSummary() };
    }

    /// <summary>The job's manifest (immutable once written, so cached).</summary>
    public async Task<ChunkManifest> ManifestAsync(string jobId, CancellationToken cancellationToken)
    {
        if (manifests.TryGetValue(jobId, out var cached))
        {
            return cached;
        }

        var manifest = await recordings.LoadJsonAsync<ChunkManifest>(ChunkManifest.BlobName(jobId), cancellationToken);
        Remember(manifest);
        return manifest;
    }

    /// <summary>Loads the stored transcript of a completed job, or null.</summary>
    public Task<Transcript?> TranscriptAsync(string jobId, CancellationToken cancellationToken) =>
        recordings.TryLoadJsonAsync<Transcript>(TranscriptAssembler.BlobName(jobId), cancellationToken);

    private void Remember(ChunkManifest manifest)
    {
        if (manifests.Count >= ManifestCacheSize)
        {
            manifests.Clear();
        }

        manifests[manifest.JobId] = manifest;
    }

    private static ChunkRecord BaseRecord(string jobId, ManifestChunk chunk) => new()
    {
        ChunkId = ChunkRecord.IdFor(jobId, chunk.Index),
        Index = chunk.Index,
        StartMs = chunk.StartMs,
        EndMs = chunk.EndMs,
        Status = chunk.IsSilent ? ChunkStatus.Silent : ChunkStatus.Pending,
        SentMs = chunk.IsSilent ? null : chunk.SentMs,
    };

    private static int Rank(JobStatus status) => status switch
    {
        JobStatus.Created => 0,
        JobStatus.Purifying => 1,
        JobStatus.PurifierCompleted or JobStatus.PurifierBypassed => 2,
        JobStatus.Splitting => 3,
        JobStatus.Processing => 4,
        JobStatus.Aggregating => 5,
        _ => 6,
    };

    // Restoring puts the job one legal step before where it is going, so the transition itself still applies.
    private static JobStatus PreviousOf(JobStatus status) => status switch
    {
        JobStatus.Purifying or JobStatus.PurifierBypassed => JobStatus.Created,
        JobStatus.PurifierCompleted => JobStatus.Purifying,
        JobStatus.Splitting => JobStatus.PurifierBypassed,
        JobStatus.Processing => JobStatus.Splitting,
        JobStatus.Aggregating => JobStatus.Processing,
        JobStatus.Completed => JobStatus.Aggregating,
        _ => JobStatus.Processing,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "The live record of job {JobId} was gone; writing it again from Blob Storage")]
    private static partial void LogRestoring(ILogger logger, string jobId);
}
