using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Jobs;
using Orchard.Domain.Storage;
using Orchard.Domain.Telemetry;
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
    OrchardTelemetry telemetry,
    IOptions<DispatchOptions> options,
    TimeProvider time,
    ILogger<ChunkDispatcher> logger)
{    /// <summary>How long a worker stays claimed after a success, waiting for the orchestration's next chunk.</summary>
    private static readonly TimeSpan HandoverHold = TimeSpan.FromSeconds(30);


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
        var request = new ClaimRequest(input.JobId, ChunkRecord.IdFor(input.JobId, input.Long.Index), input.Token ?? Guid.NewGuid().ToString("N"), settings.TimeoutCap, plan, input.Exclude, input.Language);
        var claimed = await workers.ClaimAsync(request, cancellationToken) ?? throw await NoWorkerAsync(input, cancellationToken);
        var chunk = claimed.Claim.ChunkId == request.ChunkId ? input.Long : shortChunk;
        var assignment = new Assignment(input.JobId, input.Language, chunk with { Attempts = chunk.Attempts + 1 }, claimed.Worker.Id, claimed.Worker.Url!, claimed.Claim.Token, claimed.Claim.ClaimedAtMs, claimed.Claim.LeaseUntilMs);
        await MarkProcessingAsync(assignment, cancellationToken);
        return assignment;
    }

    /// <summary>Ends a handed-over claim the orchestration has no chunk for.</summary>
    public Task ReleaseAsync(Handover handover, CancellationToken cancellationToken) =>
        workers.ReleaseAsync(handover.WorkerId, handover.ClaimToken, ReleaseOutcome.Returned, null, null, cancellationToken);

    /// <summary>
    /// Sends the chunk and stores the normalised result. Idempotent: a result already stored (a re-run after a crash)
    /// is not asked for again. On failure the claim is released with the outcome and <see cref="WorkerFailedException"/>
    /// is thrown; <see cref="WorkerDeclinedException"/> when the worker refused the request (no fault, no attempt),
    /// <see cref="ChunkUnreadableException"/> when a second worker gave the same unreadable answer as another.
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
        NormalizedAnswer answer;
        try
        {
            await using var wav = await recordings.OpenReadAsync(RecordingStore.ChunkBlob(assignment.JobId, assignment.Chunk.Index), cancellationToken);
            answer = await OrchardTelemetry.TraceAsync(
                OrchardTelemetry.WorkerRequestSpan, assignment.JobId, assignment.Chunk.Index,
                () => client.TranscribeAsync(assignment.WorkerId, assignment.WorkerUrl, wav, assignment.Chunk.SentMs, assignment.Language, timeout, cancellationToken),
                assignment.WorkerId);
        }
        catch (WorkerFailedException ex)
        {
            telemetry.DeliveryFailed(OrchardTelemetry.ReasonOf(ex.Kind));
            LogWorkerFailed(logger, assignment.WorkerId, assignment.JobId, assignment.Chunk.Index, ex.Kind, ex.Message);
            var firstUnreadable = ex.Kind == WorkerFailureKind.InvalidAnswer ? await SameUnreadableAnswerAsync(assignment, ex.Reason, cancellationToken) : null;
            var notItsFault = ex.Kind == WorkerFailureKind.Declined || firstUnreadable is not null;
            var outcome = notItsFault ? ReleaseOutcome.Declined
                : ex.Kind is WorkerFailureKind.Unreachable or WorkerFailureKind.Timeout ? ReleaseOutcome.Unreachable : ReleaseOutcome.Failed;
            await workers.ReleaseAsync(assignment.WorkerId, assignment.ClaimToken, outcome, null, ex.Message, cancellationToken);
            var final = firstUnreadable is not null || (ex.Kind != WorkerFailureKind.Declined && assignment.Chunk.Attempts >= options.Value.MaxAttempts);
            await progress.SetChunkAsync(assignment.JobId, c => c with
            {
                Status = final ? ChunkStatus.Failed : ChunkStatus.Pending,
                WorkerId = assignment.WorkerId,
                WorkerUrl = assignment.WorkerUrl,
                Attempts = ex.Kind == WorkerFailureKind.Declined ? assignment.Chunk.Attempts - 1 : assignment.Chunk.Attempts,
                StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(assignment.ClaimedAtMs),
                Error = ex.Message,
            }, assignment.Chunk.Index, cancellationToken);
            if (ex.Kind == WorkerFailureKind.Declined)
            {
                throw new WorkerDeclinedException(assignment.WorkerId, assignment.Chunk.Index, ex.Reason);
            }

            if (firstUnreadable is not null)
            {
                throw new ChunkUnreadableException(assignment.Chunk.Index, firstUnreadable.WorkerId, assignment.WorkerId, ex.Reason);
            }

            throw;
        }

        var transcription = answer.Transcription;
        var changes = answer.Changes.IsEmpty ? null : answer.Changes;
        if (changes is not null)
        {
            LogNormalized(logger, assignment.JobId, assignment.Chunk.Index, assignment.WorkerId, changes.Clamped, changes.Reordered, changes.DroppedEmpty, changes.Repeated, changes.Untimed);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var sample = new PerformanceSample(assignment.Chunk.SentMs / 1000, elapsed.TotalSeconds, time.GetUtcNow());
        telemetry.WorkerAnswered(assignment.WorkerId, sample);
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
            Normalized = changes,
        };
        await recordings.SaveJsonAsync(resultBlob, result, cancellationToken);
        telemetry.ChunkCompleted();
        var handover = assignment.KeepClaim ? await HandOverAsync(assignment, sample, cancellationToken) : null;
        if (handover is null)
        {
            await workers.ReleaseAsync(assignment.WorkerId, assignment.ClaimToken, ReleaseOutcome.Succeeded, sample, null, cancellationToken);
        }

        await MarkCompletedAsync(assignment, result, cancellationToken);
        return new DeliveryReport(result.Index, result.WorkerId, result.ElapsedMs, transcription.Segments.Count) { Next = handover };
    }

    /// <summary>
    /// A delivery runs at least once: a re-run after a crash may find its claim lapsed. Then it takes the worker
    /// again if it is free (with a fresh lease), or gives the chunk back with <see cref="ClaimLostException"/>, so a
    /// worker is never sent a chunk it was not claimed for.
    /// </summary>
    private async Task<Assignment> EnsureClaimAsync(Assignment assignment, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var settings = options.Value;
        var chunkId = ChunkRecord.IdFor(assignment.JobId, assignment.Chunk.Index);
        if (assignment.LeaseUntilMs == 0)
        {
            // A handed-over claim: extend it to this chunk's timeout and show the chunk as at the worker.
            var ratio = (await workers.GetAsync(assignment.WorkerId, cancellationToken))?.AverageSpeedRatio;
            var lease = LeaseFor(assignment.Chunk, settings).LeaseFor(ratio, shortChunk: false);
            if (await workers.RenewClaimAsync(assignment.WorkerId, assignment.ClaimToken, chunkId, lease, cancellationToken) is { } renewed)
            {
                var started = assignment with { ClaimedAtMs = now, LeaseUntilMs = renewed.Claim.LeaseUntilMs };
                await MarkProcessingAsync(started, cancellationToken);
                return started;
            }
        }
        else
        {
            var worker = await workers.GetAsync(assignment.WorkerId, cancellationToken);
            if (worker?.Claim is { } claim && claim.Token == assignment.ClaimToken && claim.LeaseUntilMs > now)
            {
                return assignment;
            }
        }

        var again = await workers.ClaimWorkerAsync(assignment.WorkerId, new ClaimRequest(assignment.JobId, chunkId, Guid.NewGuid().ToString("N"), settings.TimeoutCap, LeaseFor(assignment.Chunk, settings)), cancellationToken);
        if (again is null)
        {
            telemetry.DeliveryFailed(OrchardTelemetry.ClaimLost);
            throw new ClaimLostException(assignment.WorkerId, assignment.Chunk.Index);
        }

        telemetry.DeliveryFailed(OrchardTelemetry.LeaseLapsed);
        LogClaimRenewed(logger, assignment.WorkerId, assignment.JobId, assignment.Chunk.Index);
        var reclaimed = assignment with { ClaimToken = again.Claim.Token, ClaimedAtMs = again.Claim.ClaimedAtMs, LeaseUntilMs = again.Claim.LeaseUntilMs };
        await MarkProcessingAsync(reclaimed, cancellationToken);
        return reclaimed;
    }

    private static LeasePlan LeaseFor(PendingChunk chunk, DispatchOptions settings)
    {
        var seconds = chunk.SentMs / 1000;
        return new LeasePlan(string.Empty, seconds, seconds, settings.SafetyFactor, settings.TimeoutFloor, settings.TimeoutCap, settings.UnmeasuredSpeedRatio);
    }

    /// <summary>
    /// Keeps the worker claimed after its success, for the orchestration to hand it the next chunk; says whether a
    /// short chunk suits it better (it is over <see cref="Worker.SlowFactor"/>× slower than the fastest online worker, as the claim rule has it).
    /// </summary>
    private async Task<Handover?> HandOverAsync(Assignment assignment, PerformanceSample sample, CancellationToken cancellationToken)
    {
        if (!await workers.HandOverAsync(assignment.WorkerId, assignment.ClaimToken, sample, HandoverHold, cancellationToken))
        {
            return null;
        }

        var fleet = await workers.ListAsync(cancellationToken);
        var ratio = fleet.FirstOrDefault(w => w.Id == assignment.WorkerId)?.AverageSpeedRatio;
        var fastest = fleet.Where(w => w.Url is not null && w.Status != WorkerStatus.Offline).Min(w => w.AverageSpeedRatio);
        return new Handover(assignment.WorkerId, assignment.WorkerUrl, assignment.ClaimToken, ratio is null || (fastest is not null && ratio > Worker.SlowFactor * fastest))
        {
            JobId = assignment.JobId,
        };
    }

    private Task MarkProcessingAsync(Assignment assignment, CancellationToken cancellationToken) =>
        progress.SetChunkAsync(assignment.JobId, c => c with
        {
            Status = ChunkStatus.Processing,
            WorkerId = assignment.WorkerId,
            WorkerUrl = assignment.WorkerUrl,
            Attempts = assignment.Chunk.Attempts,
            StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(assignment.ClaimedAtMs),
            CompletedAt = null,
            Error = null,
        }, assignment.Chunk.Index, cancellationToken);

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
            Normalized = result.Normalized,
        }, assignment.Chunk.Index, cancellationToken);

    /// <summary>
    /// Remembers this unreadable answer for the chunk, durably; returns the earlier one when a different worker
    /// already gave the same (the same audio gives the same answer, so the chunk is at fault, not the workers).
    /// </summary>
    private async Task<UnreadableAnswer?> SameUnreadableAnswerAsync(Assignment assignment, string reason, CancellationToken cancellationToken)
    {
        var blob = RecordingStore.UnreadableBlob(assignment.JobId, assignment.Chunk.Index);
        var earlier = await recordings.TryLoadJsonAsync<UnreadableAnswer>(blob, cancellationToken);
        if (earlier is not null && earlier.WorkerId != assignment.WorkerId && earlier.Reason == reason)
        {
            return earlier;
        }

        await recordings.SaveJsonAsync(blob, new UnreadableAnswer(assignment.WorkerId, reason), cancellationToken);
        return null;
    }

    /// <summary>
    /// Why no worker could be claimed: none is free now (<see cref="NoWorkerAvailableException"/>: wait), or every
    /// online worker has declined this job (<see cref="NoWorkerCanServeException"/>: waiting would not help).
    /// </summary>
    private async Task<Exception> NoWorkerAsync(ClaimInput input, CancellationToken cancellationToken)
    {
        var declined = input.Exclude ?? [];
        var language = input.Language is null or LanguageCode.Auto ? null : input.Language;
        if (declined.Count > 0 || language is not null)
        {
            // A worker that declared its languages without this one counts as having declined it.
            var online = (await workers.ListAsync(cancellationToken)).Where(w => w.Url is not null && w.Status != WorkerStatus.Offline).ToArray();
            if (online.Length > 0 && online.All(w => declined.Contains(w.Id) || !w.Serves(language)))
            {
                return new NoWorkerCanServeException(input.JobId, input.Language, online.Length);
            }
        }

        return new NoWorkerAvailableException(input.JobId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} was cancelled while chunk {ChunkIndex} was at its worker; the answer is discarded")]
    private static partial void LogDiscarded(ILogger logger, string jobId, int chunkIndex);

    [LoggerMessage(Level = LogLevel.Information, Message = "The claim on worker {WorkerId} for chunk {ChunkIndex} of job {JobId} had lapsed (a re-run); claimed it again")]
    private static partial void LogClaimRenewed(ILogger logger, string workerId, string jobId, int chunkIndex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Normalized the answer of worker {WorkerId} for chunk {ChunkIndex} of job {JobId}: {Clamped} clamped, {Reordered} reordered, {DroppedEmpty} empty dropped, {Repeated} repeated, {Untimed} untimed")]
    private static partial void LogNormalized(ILogger logger, string jobId, int chunkIndex, string workerId, int clamped, int reordered, int droppedEmpty, int repeated, int untimed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} failed chunk {ChunkIndex} of job {JobId} ({Kind}): {Reason}")]
    private static partial void LogWorkerFailed(ILogger logger, string workerId, string jobId, int chunkIndex, WorkerFailureKind kind, string reason);
}
