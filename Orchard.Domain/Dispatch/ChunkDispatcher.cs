using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Jobs;
using Orchard.Domain.Storage;
using Orchard.Domain.Workers;

namespace Orchard.Domain.Dispatch;

/// <summary>
/// The one seam of delivery: claim a worker → deliver the chunk → receive the result. Push workers are called over
/// HTTP here; pull workers (behind NAT) will later fetch through HTTP triggers and complete the same claim.
/// </summary>
public sealed partial class ChunkDispatcher(
    IWorkerRegistry workers,
    JobProgress progress,
    RecordingStore recordings,
    WorkerClient client,
    IOptions<DispatchOptions> options,
    TimeProvider time,
    ILogger<ChunkDispatcher> logger)
{
    /// <summary>
    /// Claims the best idle worker: one with no history gets the short chunk (to measure it), a measured one the long
    /// chunk. Throws <see cref="NoWorkerAvailableException"/> when none is free.
    /// </summary>
    public async Task<Assignment> ClaimAsync(ClaimInput input, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var shortChunk = input.Short ?? input.Long;
        var plan = new LeasePlan(
            ChunkRecord.IdFor(input.JobId, shortChunk.Index), input.Long.SentMs / 1000, shortChunk.SentMs / 1000,
            settings.SafetyFactor, settings.TimeoutFloor, settings.TimeoutCap, settings.UnmeasuredSpeedRatio);
        var request = new ClaimRequest(input.JobId, ChunkRecord.IdFor(input.JobId, input.Long.Index), Guid.NewGuid().ToString("N"), settings.TimeoutCap, plan);
        var claimed = await workers.ClaimAsync(request, cancellationToken) ?? throw new NoWorkerAvailableException(input.JobId);
        var chunk = claimed.Claim.ChunkId == request.ChunkId ? input.Long : shortChunk;
        var assignment = new Assignment(input.JobId, input.Language, chunk with { Attempts = chunk.Attempts + 1 }, claimed.Worker.Id, claimed.Worker.Url!, claimed.Claim.Token, claimed.Claim.ClaimedAtMs, claimed.Claim.LeaseUntilMs);
        await progress.SetChunkAsync(input.JobId, c => c with
        {
            Status = ChunkStatus.Processing,
            WorkerId = assignment.WorkerId,
            WorkerUrl = assignment.WorkerUrl,
            Attempts = assignment.Chunk.Attempts,
            StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(assignment.ClaimedAtMs),
            CompletedAt = null,
            Error = null,
        }, chunk.Index, cancellationToken);
        return assignment;
    }

    /// <summary>
    /// Sends the chunk and stores the validated result. Idempotent: a result already stored (a re-run after a crash)
    /// is not asked for again. On failure the claim is released with the outcome and <see cref="WorkerFailedException"/> is thrown.
    /// </summary>
    public async Task<DeliveryReport> DeliverAsync(Assignment assignment, CancellationToken cancellationToken)
    {
        var resultBlob = RecordingStore.ResultBlob(assignment.JobId, assignment.Chunk.Index);
        if (await recordings.TryLoadJsonAsync<ChunkResult>(resultBlob, cancellationToken) is { } existing)
        {
            await workers.ReleaseAsync(assignment.WorkerId, assignment.ClaimToken, ReleaseOutcome.Succeeded, null, null, cancellationToken);
            await MarkCompletedAsync(assignment, existing, cancellationToken);
            return new DeliveryReport(existing.Index, existing.WorkerId, existing.ElapsedMs, existing.Transcription.Segments.Count);
        }

        assignment = await EnsureClaimAsync(assignment, cancellationToken);
        var timeout = TimeSpan.FromMilliseconds(Math.Max(1000, assignment.LeaseUntilMs - time.GetUtcNow().ToUnixTimeMilliseconds()));
        var started = Stopwatch.GetTimestamp();
        WorkerTranscription transcription;
        try
        {
            await using var wav = await recordings.OpenReadAsync(RecordingStore.ChunkBlob(assignment.JobId, assignment.Chunk.Index), cancellationToken);
            transcription = await client.TranscribeAsync(assignment.WorkerId, assignment.WorkerUrl, wav, assignment.Chunk.SentMs, assignment.Language, timeout, cancellationToken);
        }
        catch (WorkerFailedException ex)
        {
            LogWorkerFailed(logger, assignment.WorkerId, assignment.JobId, assignment.Chunk.Index, ex.Kind, ex.Message);
            var outcome = ex.Kind is WorkerFailureKind.Unreachable or WorkerFailureKind.Timeout ? ReleaseOutcome.Unreachable : ReleaseOutcome.Failed;
            await workers.ReleaseAsync(assignment.WorkerId, assignment.ClaimToken, outcome, null, ex.Message, cancellationToken);
            var final = assignment.Chunk.Attempts >= options.Value.MaxAttempts;
            await progress.SetChunkAsync(assignment.JobId, c => c with
            {
                Status = final ? ChunkStatus.Failed : ChunkStatus.Pending,
                WorkerId = assignment.WorkerId,
                WorkerUrl = assignment.WorkerUrl,
                Attempts = assignment.Chunk.Attempts,
                StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(assignment.ClaimedAtMs),
                Error = ex.Message,
            }, assignment.Chunk.Index, cancellationToken);
            throw;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var sample = new PerformanceSample(assignment.Chunk.SentMs / 1000, elapsed.TotalSeconds, time.GetUtcNow());
        if (await progress.IsCancelledAsync(assignment.JobId, cancellationToken))
        {
            // The job was cancelled while the worker worked: free the worker, keep its speed, drop the answer.
            await workers.ReleaseAsync(assignment.WorkerId, assignment.ClaimToken, ReleaseOutcome.Succeeded, sample, null, cancellationToken);
            LogDiscarded(logger, assignment.JobId, assignment.Chunk.Index);
            return new DeliveryReport(assignment.Chunk.Index, assignment.WorkerId, elapsed.TotalMilliseconds, 0);
        }

        var result = new ChunkResult
        {
            Index = assignment.Chunk.Index,
            WorkerId = assignment.WorkerId,
            WorkerUrl = assignment.WorkerUrl,
            SentMs = assignment.Chunk.SentMs,
            ElapsedMs = elapsed.TotalMilliseconds,
            Transcription = transcription,
        };
        await recordings.SaveJsonAsync(resultBlob, result, cancellationToken);
        await workers.ReleaseAsync(assignment.WorkerId, assignment.ClaimToken, ReleaseOutcome.Succeeded, sample, null, cancellationToken);
        await MarkCompletedAsync(assignment, result, cancellationToken);
        return new DeliveryReport(result.Index, result.WorkerId, result.ElapsedMs, transcription.Segments.Count);
    }

    /// <summary>
    /// A delivery runs at least once: a re-run after a crash may find its claim lapsed. Then it takes the worker
    /// again if it is free (with a fresh lease), or gives the chunk back with <see cref="ClaimLostException"/>, so a
    /// worker is never sent a chunk it was not claimed for.
    /// </summary>
    private async Task<Assignment> EnsureClaimAsync(Assignment assignment, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var worker = await workers.GetAsync(assignment.WorkerId, cancellationToken);
        if (worker?.Claim is { } claim && claim.Token == assignment.ClaimToken && claim.LeaseUntilMs > now)
        {
            return assignment;
        }

        var settings = options.Value;
        var chunkId = ChunkRecord.IdFor(assignment.JobId, assignment.Chunk.Index);
        var seconds = assignment.Chunk.SentMs / 1000;
        var plan = new LeasePlan(chunkId, seconds, seconds, settings.SafetyFactor, settings.TimeoutFloor, settings.TimeoutCap, settings.UnmeasuredSpeedRatio);
        var again = await workers.ClaimWorkerAsync(assignment.WorkerId, new ClaimRequest(assignment.JobId, chunkId, Guid.NewGuid().ToString("N"), settings.TimeoutCap, plan), cancellationToken)
            ?? throw new ClaimLostException(assignment.WorkerId, assignment.Chunk.Index);
        LogClaimRenewed(logger, assignment.WorkerId, assignment.JobId, assignment.Chunk.Index);
        return assignment with { ClaimToken = again.Claim.Token, ClaimedAtMs = again.Claim.ClaimedAtMs, LeaseUntilMs = again.Claim.LeaseUntilMs };
    }

    private Task MarkCompletedAsync(Assignment assignment, ChunkResult result, CancellationToken cancellationToken) =>
        progress.SetChunkAsync(assignment.JobId, c => c with
        {
            Status = ChunkStatus.Completed,
            WorkerId = result.WorkerId,
            WorkerUrl = result.WorkerUrl,
            Attempts = Math.Max(c.Attempts, assignment.Chunk.Attempts),
            StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(assignment.ClaimedAtMs),
            CompletedAt = time.GetUtcNow(),
            SentMs = result.SentMs,
            Error = null,
        }, assignment.Chunk.Index, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} was cancelled while chunk {ChunkIndex} was at its worker; the answer is discarded")]
    private static partial void LogDiscarded(ILogger logger, string jobId, int chunkIndex);

    [LoggerMessage(Level = LogLevel.Information, Message = "The claim on worker {WorkerId} for chunk {ChunkIndex} of job {JobId} had lapsed (a re-run); claimed it again")]
    private static partial void LogClaimRenewed(ILogger logger, string workerId, string jobId, int chunkIndex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} failed chunk {ChunkIndex} of job {JobId} ({Kind}): {Reason}")]
    private static partial void LogWorkerFailed(ILogger logger, string workerId, string jobId, int chunkIndex, WorkerFailureKind kind, string reason);
}
