using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Orchard.Domain.Jobs;
using Orchard.Domain.State;

namespace Orchard.Functions.Functions.Orchestration;

/// <summary>
/// One job: purify (or bypass) → split → transcribe every speech chunk (in bounded batches) → build the
/// transcript → completed.
/// Deterministic: no I/O, clock or GUIDs except through the context.
/// </summary>
public static partial class JobOrchestrator
{
    /// <summary>A Redis outage is not a job failure: status writes wait for the store with backoff.</summary>
    internal static readonly TaskOptions StoreRetry = TaskOptions.FromRetryPolicy(
        new RetryPolicy(maxNumberOfAttempts: 12, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30))
        {
            HandleFailure = failure => failure.IsCausedBy<StateStoreUnavailableException>(),
        });

    [Function(nameof(JobOrchestrator))]
    public static async Task<JobOutcome> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var request = context.GetInput<JobRequest>()!;
        var logger = context.CreateReplaySafeLogger(nameof(JobOrchestrator));
        try
        {
            await SetStatus(context, request.JobId, request.Purify ? JobStatus.Purifying : JobStatus.PurifierBypassed);
            var prepared = await context.CallActivityAsync<Domain.Dispatch.PreparedJob>(nameof(JobActivities.PrepareAudio), request, StoreRetry);
            await SetStatus(context, request.JobId, JobStatus.Processing);

            // Longest first across the job; each batch is a contiguous slice of that order.
            var ordered = prepared.SpeechChunks.OrderByDescending(c => c.SentMs).ThenBy(c => c.Index).ToArray();
            var transcribed = 0;
            for (var start = 0; start < ordered.Length; start += request.Limits.BatchSize)
            {
                var batch = new ChunkBatch(request.JobId, request.Language, ordered.Skip(start).Take(request.Limits.BatchSize).ToArray(), request.Limits);
                context.SetCustomStatus(new { phase = "processing", transcribed, speech_chunks = ordered.Length });
                // Inline rather than a sub-orchestration: the local host's Azure Storage backend cannot yet read back
                // a sub-orchestration's completion as it arrives through the gRPC server (see README, known limits).
                var outcome = await ChunkBatchOrchestrator.DispatchAsync(context, batch);
                transcribed += outcome.Transcribed;
                if (outcome.Untranscribed.Count > 0)
                {
                    var untranscribed = ordered.Skip(start + batch.Chunks.Count).Select(c => c.Index).Concat(outcome.Untranscribed).Order();
                    return await Fail(context, request.JobId, $"{outcome.Error} Chunks left untranscribed: {string.Join(", ", untranscribed)}.");
                }
            }

            await SetStatus(context, request.JobId, JobStatus.Aggregating);
            context.SetCustomStatus(new { phase = "aggregating", transcribed, speech_chunks = ordered.Length });
            var segments = await context.CallActivityAsync<int>(nameof(JobActivities.BuildTranscript), request.JobId, StoreRetry);
            await context.CallActivityAsync<JobStatus>(
                nameof(JobActivities.SetJobStatus), new JobStatusUpdate(request.JobId, JobStatus.Completed, DurationMs: prepared.DurationMs), StoreRetry);
            context.SetCustomStatus(new { phase = "completed", transcribed, speech_chunks = ordered.Length });
            LogCompleted(logger, request.JobId, segments);
            return new JobOutcome(request.JobId, JobStatus.Completed, segments, null);
        }
        catch (TaskFailedException ex)
        {
            return await Fail(context, request.JobId, ex.FailureDetails.ErrorMessage);
        }
    }

    private static Task<JobStatus> SetStatus(TaskOrchestrationContext context, string jobId, JobStatus status) =>
        context.CallActivityAsync<JobStatus>(nameof(JobActivities.SetJobStatus), new JobStatusUpdate(jobId, status), StoreRetry);

    private static async Task<JobOutcome> Fail(TaskOrchestrationContext context, string jobId, string error)
    {
        LogFailed(context.CreateReplaySafeLogger(nameof(JobOrchestrator)), jobId, error);
        context.SetCustomStatus(new { phase = "failed" });
        await context.CallActivityAsync<JobStatus>(nameof(JobActivities.SetJobStatus), new JobStatusUpdate(jobId, JobStatus.Failed, error), StoreRetry);
        return new JobOutcome(jobId, JobStatus.Failed, 0, error);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} completed with {Segments} segments")]
    private static partial void LogCompleted(ILogger logger, string jobId, int segments);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string jobId, string error);
}
