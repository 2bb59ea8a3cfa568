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
    private const int ChunkCacheSize = 4096;

    /// <summary>Most chunks a job's facts are listed for: 12 hours in 1-second chunks, with room to spare.</summary>
    private const int MaxChunkFacts = 100_000;

    private readonly ConcurrentDictionary<string, ChunkManifest> manifests = new(StringComparer.Ordinal);

    /// <summary>Chunk facts of jobs still being cut (no manifest yet), as stored or read on this instance.</summary>
    private readonly ConcurrentDictionary<(string JobId, int Index), ManifestChunk> chunkFacts = new();

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

    /// <summary>
    /// Writes the record of a chunk just cut (pending or silent), while the rest of the recording is still being cut,
    /// and keeps its facts at hand for the leases that follow at once. Only for a chunk whose record is not written
    /// yet: the record of a chunk already out would go back to pending.
    /// </summary>
    public async Task AddChunkAsync(string jobId, ManifestChunk chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        RememberChunk(jobId, chunk);
        var record = BaseRecord(jobId, chunk);
        if (!await jobs.SetChunksAsync(jobId, [record], cancellationToken))
        {
            LogRestoring(logger, jobId);
            await RestoreAsync(jobId, JobStatus.Splitting, cancellationToken);
            await jobs.SetChunksAsync(jobId, [record], cancellationToken);
        }
    }

    /// <summary>The job's live record (summary and chunks), or null when Redis does not have it.</summary>
    public Task<JobDocument?> JobDocumentAsync(string jobId, CancellationToken cancellationToken) =>
        jobs.GetDocumentAsync(jobId, cancellationToken);

    /// <summary>Writes the manifest once every chunk of the job is cut and stored, and keeps it at hand.</summary>
    public async Task SaveManifestAsync(ChunkManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        await recordings.SaveJsonAsync(ChunkManifest.BlobName(manifest.JobId), manifest, cancellationToken);
        Remember(manifest);
    }

    /// <summary>
    /// The facts of every chunk of the job stored so far (<see cref="RecordingStore.ChunkFactsBlob"/>), by index: the
    /// chunks cut before a crash, or the live view's chunks before the manifest is written. Not necessarily contiguous
    /// (chunks are stored several at a time).
    /// </summary>
    public async Task<IReadOnlyList<ManifestChunk>> StoredChunksAsync(string jobId, CancellationToken cancellationToken)
    {
        var names = await recordings.ListNamesAsync(RecordingStore.ChunkFactsPrefix(jobId), MaxChunkFacts, cancellationToken);
        var found = new ManifestChunk?[names.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, names.Count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
            found[i] = await recordings.TryLoadJsonAsync<ManifestChunk>(names[i], ct));
        return found.OfType<ManifestChunk>().OrderBy(c => c.Index).ToArray();
    }

    /// <summary>
    /// One chunk's facts: from the manifest when the whole recording is cut, otherwise from the chunk's own facts,
    /// which are stored before the chunk is offered (so a chunk leased while the rest is still being cut has them).
    /// </summary>
    public async Task<ManifestChunk> ChunkFactsAsync(string jobId, int index, CancellationToken cancellationToken)
    {
        if (manifests.TryGetValue(jobId, out var manifest))
        {
            return manifest.Chunks[index];
        }

        if (chunkFacts.TryGetValue((jobId, index), out var known))
        {
            return known;
        }

        if (await recordings.TryLoadJsonAsync<ManifestChunk>(RecordingStore.ChunkFactsBlob(jobId, index), cancellationToken) is { } stored)
        {
            RememberChunk(jobId, stored);
            return stored;
        }

        // A job cut before chunks had facts of their own.
        return (await ManifestAsync(jobId, cancellationToken)).Chunks[index];
    }

    /// <summary>Sets one chunk absolutely: its manifest facts plus what <paramref name="update"/> says.</summary>
    public async Task SetChunkAsync(string jobId, Func<ChunkRecord, ChunkRecord> update, int index, CancellationToken cancellationToken)
    {
        var record = update(BaseRecord(jobId, await ChunkFactsAsync(jobId, index, cancellationToken)));
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
        IReadOnlyList<ManifestChunk> facts;
        if (manifest is not null)
        {
            Remember(manifest);
            facts = manifest.Chunks;
        }
        else
        {
            // Still being cut (or never cut): the chunks stored so far.
            facts = await StoredChunksAsync(jobId, cancellationToken);
        }

        var chunks = new ChunkRecord[facts.Count];
        // Answers are read several at a time: a 10-hour job has over a thousand of them.
        await Parallel.ForEachAsync(Enumerable.Range(0, facts.Count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var chunk = facts[i];
            var record = BaseRecord(jobId, chunk);
            if (!chunk.IsSilent && await recordings.TryLoadJsonAsync<ChunkResult>(RecordingStore.ResultBlob(jobId, chunk.Index), ct) is { } result)
            {
                record = record with { Status = ChunkStatus.Completed, WorkerId = result.WorkerId, WorkerUrl = result.WorkerUrl, Attempts = 1, SentMs = result.SentMs, Normalized = result.Normalized };
            }

            chunks[i] = record;
        });

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

    private void RememberChunk(string jobId, ManifestChunk chunk)
    {
        if (chunkFacts.Count >= ChunkCacheSize)
        {
            chunkFacts.Clear();
        }

        chunkFacts[(jobId, chunk.Index)] = chunk;
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
