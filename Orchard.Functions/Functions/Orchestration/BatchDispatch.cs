using Microsoft.DurableTask;
using Orchard.Domain.Dispatch;

namespace Orchard.Functions.Functions.Orchestration;

/// <summary>
/// Transcribes one batch of chunks inside the job's orchestration (a helper of <see cref="JobOrchestrator"/>, not an
/// orchestration of its own: the local host's Azure Storage backend cannot read back a sub-orchestration's completion
/// as it arrives through the gRPC server). It alone owns retries: a chunk whose worker failed goes back into the queue
/// (another worker is preferred), up to the attempt limit; a chunk past the limit is given up, named with its last
/// reason, while every other chunk goes on. With no worker free and nothing in flight it waits on a durable timer, up
/// to the deadline, then stops. A chunk is never dropped: it is transcribed or named in the outcome.
/// </summary>
public static class BatchDispatch
{
    /// <summary>The dispatch loop; deterministic, all I/O in the claim and deliver activities.</summary>
    public static async Task<BatchOutcome> DispatchAsync(TaskOrchestrationContext context, ChunkBatch batch)
    {
        var limits = batch.Limits;
        var queue = batch.Chunks.OrderByDescending(c => c.SentMs).ThenBy(c => c.Index).ToList();
        var inFlight = new Dictionary<Task<DeliveryReport>, Assignment>();
        var releases = new List<Task<bool>>();
        void Deliver(Assignment assignment) =>
            inFlight.Add(context.CallActivityAsync<DeliveryReport>(nameof(DispatchActivities.DeliverChunk), assignment, JobOrchestrator.StoreRetry), assignment);
        var transcribed = 0;
        var failed = new List<ChunkFailure>();
        string? stopped = null;
        DateTime? waitingSince = null;
        var mayClaim = true;
        var declined = new List<string>(batch.Declined); // workers that refused this job (a language they do not serve): never claimed for it again
        void Requeue(PendingChunk chunk)
        {
            queue.Add(chunk);
            queue.Sort((a, b) => b.SentMs != a.SentMs ? b.SentMs.CompareTo(a.SentMs) : a.Index.CompareTo(b.Index));
        }

        while ((queue.Count > 0 && stopped is null) || inFlight.Count > 0)
        {
            while (mayClaim && stopped is null && queue.Count > 0 && inFlight.Count < limits.MaxInFlight)
            {
                var input = new ClaimInput(batch.JobId, batch.Language, queue[0], queue.Count > 1 ? queue[^1] : null) { Exclude = declined.ToArray(), Token = context.NewGuid().ToString("N") };
                Assignment assignment;
                try
                {
                    assignment = await context.CallActivityAsync<Assignment>(nameof(DispatchActivities.ClaimWorker), input, JobOrchestrator.StoreRetry);
                }
                catch (TaskFailedException ex) when (ex.FailureDetails.IsCausedBy<NoWorkerAvailableException>())
                {
                    mayClaim = false;
                    break;
                }
                catch (TaskFailedException ex) when (ex.FailureDetails.IsCausedBy<NoWorkerCanServeException>())
                {
                    // Every worker in the fleet refused this job: nothing can progress, so stop keeping what was transcribed.
                    stopped ??= ex.FailureDetails.ErrorMessage;
                    break;
                }

                waitingSince = null;
                queue.RemoveAll(c => c.Index == assignment.Chunk.Index);
                Deliver(assignment with { KeepClaim = queue.Count > 0 });
            }

            if (inFlight.Count == 0)
            {
                if (stopped is not null || queue.Count == 0)
                {
                    break;
                }

                waitingSince ??= context.CurrentUtcDateTime;
                if (context.CurrentUtcDateTime - waitingSince >= limits.NoWorkerDeadline)
                {
                    // Nothing can progress: stop, keeping what was transcribed; the queue is named in the outcome.
                    stopped = $"No worker became free within {limits.NoWorkerDeadline.TotalMinutes:0.#} minutes.";
                    break;
                }

                await context.CreateTimer(context.CurrentUtcDateTime + limits.NoWorkerPollInterval, CancellationToken.None);
                mayClaim = true;
                continue;
            }

            var done = await Task.WhenAny(inFlight.Keys);
            var finished = inFlight[done];
            inFlight.Remove(done);
            mayClaim = true;
            try
            {
                var report = await done;
                transcribed++;
                if (report.Next is { } next)
                {
                    // The worker is still claimed: give it the next chunk at once, or let it go.
                    if (queue.Count > 0 && stopped is null)
                    {
                        var chunk = next.TakesShort ? queue[^1] : queue[0];
                        queue.Remove(chunk);
                        var nowMs = new DateTimeOffset(context.CurrentUtcDateTime).ToUnixTimeMilliseconds();
                        Deliver(new Assignment(batch.JobId, batch.Language, chunk with { Attempts = chunk.Attempts + 1 }, next.WorkerId, next.WorkerUrl, next.ClaimToken, nowMs, LeaseUntilMs: 0)
                        {
                            KeepClaim = queue.Count > 0,
                        });
                    }
                    else
                    {
                        releases.Add(context.CallActivityAsync<bool>(nameof(DispatchActivities.ReleaseWorker), next, JobOrchestrator.StoreRetry));
                    }
                }
            }
            catch (TaskFailedException ex) when (ex.FailureDetails.IsCausedBy<ClaimLostException>())
            {
                // Not the worker's fault: the chunk goes back without spending the attempt.
                Requeue(finished.Chunk with { Attempts = finished.Chunk.Attempts - 1 });
            }
            catch (TaskFailedException ex) when (ex.FailureDetails.IsCausedBy<WorkerDeclinedException>())
            {
                // Not a fault and not an attempt: the chunk waits for a worker that has not refused this job.
                declined.Add(finished.WorkerId);
                Requeue(finished.Chunk with { Attempts = finished.Chunk.Attempts - 1 });
            }
            catch (TaskFailedException ex) when (ex.FailureDetails.IsCausedBy<ChunkUnreadableException>())
            {
                // The same unreadable answer from two workers: the chunk is at fault, so it becomes a gap now, without
                // spending the fleet's attempts on it; the other chunks go on.
                failed.Add(ChunkFailure.Of(finished.Chunk.Index, ex.FailureDetails.ErrorMessage));
            }
            catch (TaskFailedException ex)
            {
                if (finished.Chunk.Attempts >= limits.MaxAttempts)
                {
                    // Finally untranscribable: it becomes a gap in the transcript, and the other chunks go on.
                    failed.Add(ChunkFailure.Of(finished.Chunk.Index, $"failed {finished.Chunk.Attempts} times; last: {ex.FailureDetails.ErrorMessage}"));
                }
                else
                {
                    Requeue(finished.Chunk);
                }
            }
        }

        await Task.WhenAll(releases);
        var untranscribed = queue.Select(c => c.Index).Order().ToArray();
        return new BatchOutcome(transcribed, failed, untranscribed, untranscribed.Length > 0 ? stopped : null) { Declined = declined };
    }
}
