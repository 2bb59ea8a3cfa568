using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Orchard.Domain.Jobs;
using Orchard.Domain.State;
using Orchard.Functions.Runtime;

namespace Orchard.Functions.Functions.Orchestration;

/// <summary>
/// One job: purify (or bypass) → split → every speech chunk flows through the ready queue to whichever worker suits it
/// (<see cref="JobFlow"/>: lease events raced against durable timers, continue-as-new every few hundred events so history
/// stays small on a 10-hour recording) → build the transcript → completed.
/// A chunk given up does not stop the others: the job then ends failed with the transcript of every other chunk,
/// each gap marked, and an error naming the chunks it lacks.
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

    /// <summary>Starting a job's callback delivery is not a store write: any failure is retried a few times.</summary>
    private static readonly TaskOptions CallbackStartRetry = TaskOptions.FromRetryPolicy(
        new RetryPolicy(maxNumberOfAttempts: 6, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30)));

    /// <remarks>Each instance runs the path of the version it started on (<see cref="JobVersions"/>).</remarks>
    [Function(nameof(JobOrchestrator))]
    public static async Task<JobOutcome> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var request = context.GetInput<JobRequest>()!;
        var outcome = await RunJobAsync(context, request);
        if (request.Callback && JobLifecycle.IsTerminal(outcome.Status))
        {
            try
            {
                await context.CallActivityAsync<bool>(nameof(CallbackActivities.StartCallback), request.JobId, CallbackStartRetry);
            }
            catch (TaskFailedException ex)
            {
                // The job's outcome stands; the missing callback is logged, and its state stays absent in the document.
                LogCallbackNotStarted(context.CreateReplaySafeLogger(nameof(JobOrchestrator)), request.JobId, ex.FailureDetails.ErrorMessage);
            }
        }

        return outcome;
    }

    private static async Task<JobOutcome> RunJobAsync(TaskOrchestrationContext context, JobRequest request)
    {
        var logger = context.CreateReplaySafeLogger(nameof(JobOrchestrator));
        var split = request.Flow is not null;
        try
        {
            var state = request.Flow;
            if (state is null)
            {
                if (JobVersions.ChecksFleetFirst(context.Version))
                {
                    // Before any audio work: a job no online worker can serve ends now, not after minutes of purifying.
                    var early = await context.CallActivityAsync<string?>(nameof(DispatchActivities.CheckFleet), new FleetCheck(request.JobId, request.Language, []), StoreRetry);
                    if (early is not null)
                    {
                        return await Fail(context, request.JobId, early);
                    }
                }

                var prepared = await context.CallActivityAsync<Domain.Dispatch.PreparedJob>(nameof(JobActivities.PrepareAudio), request, StoreRetry);
                split = true;
                state = JobFlow.Start(prepared, new DateTimeOffset(context.CurrentUtcDateTime, TimeSpan.Zero).ToUnixTimeMilliseconds(), request.Rules, request.TrustedOnly);
                var refusal = await context.CallActivityAsync<string?>(nameof(DispatchActivities.CheckFleet), new FleetCheck(request.JobId, request.Language, []), StoreRetry);
                state = state with { Stopped = refusal };
            }

            context.SetCustomStatus(new { phase = "processing", transcribed = state.Transcribed, speech_chunks = state.SpeechChunks, failed = state.Failed.Count });
            var done = await JobFlow.RunAsync(context, request, state);
            if (done is null)
            {
                return new JobOutcome(request.JobId, JobStatus.Processing, 0, null); // continued as new
            }

            if (done.Open.Count > 0)
            {
                // Stopped: the chunks still open leave the queue, and are named in the outcome.
                await context.CallActivityAsync<bool>(nameof(DispatchActivities.WithdrawChunks), new WithdrawRequest(request.JobId, done.Open.Select(c => c.Index).ToArray()), StoreRetry);
            }

            if (done.Stopped is not null || done.Failed.Count > 0)
            {
                return await KeepPartialAsync(context, request.JobId, done.Failed, done.Open.Count > 0 ? done.Stopped : null);
            }

            // One step: aggregating → transcript blob → completed.
            context.SetCustomStatus(new { phase = "aggregating", transcribed = done.Transcribed, speech_chunks = done.SpeechChunks });
            var segments = await context.CallActivityAsync<int>(nameof(JobActivities.BuildTranscript), request.JobId, StoreRetry);
            context.SetCustomStatus(new { phase = "completed", transcribed = done.Transcribed, speech_chunks = done.SpeechChunks });
            LogCompleted(logger, request.JobId, segments);
            return new JobOutcome(request.JobId, JobStatus.Completed, segments, null);
        }
        catch (TaskFailedException ex)
        {
            if (split)
            {
                // Whatever broke, the chunks already transcribed are kept; only if that fails too is the job failed bare.
                try
                {
                    return await KeepPartialAsync(context, request.JobId, request.Flow?.Failed ?? [], ex.FailureDetails.ErrorMessage);
                }
                catch (TaskFailedException)
                {
                    // Keeping it failed too (its manifest is gone, say): the job fails with the error that stopped it.
                }
            }

            return await Fail(context, request.JobId, ex.FailureDetails.ErrorMessage);
        }
    }

    /// <summary>
    /// One step: the transcript of everything transcribed, with a gap for each chunk that was not, then failed with an
    /// error naming those chunks and their ranges on the original timeline.
    /// </summary>
    private static async Task<JobOutcome> KeepPartialAsync(TaskOrchestrationContext context, string jobId, IReadOnlyList<Domain.Dispatch.ChunkFailure> failed, string? stopped)
    {
        var built = await context.CallActivityAsync<Domain.Transcripts.PartialBuild>(
            nameof(JobActivities.BuildPartialTranscript), new PartialTranscriptRequest(jobId, failed, stopped), StoreRetry);
        var logger = context.CreateReplaySafeLogger(nameof(JobOrchestrator));
        context.SetCustomStatus(new { phase = built.Status == JobStatus.Completed ? "completed" : "failed", gaps = built.Gaps });
        if (built.Status == JobStatus.Completed)
        {
            LogCompleted(logger, jobId, built.Segments);
        }
        else
        {
            LogFailed(logger, jobId, built.Error ?? string.Empty);
        }

        return new JobOutcome(jobId, built.Status, built.Segments, built.Error);
    }

    private static async Task<JobOutcome> Fail(TaskOrchestrationContext context, string jobId, string error)
    {
        LogFailed(context.CreateReplaySafeLogger(nameof(JobOrchestrator)), jobId, error);
        context.SetCustomStatus(new { phase = "failed" });
        await context.CallActivityAsync<JobStatus>(nameof(JobActivities.SetJobStatus), new JobStatusUpdate(jobId, JobStatus.Failed, error), StoreRetry);
        return new JobOutcome(jobId, JobStatus.Failed, 0, error);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} completed with {Segments} segments")]
    private static partial void LogCompleted(ILogger logger, string jobId, int segments);

    [LoggerMessage(Level = LogLevel.Error, Message = "The callback of job {JobId} could not be started: {Error}")]
    private static partial void LogCallbackNotStarted(ILogger logger, string jobId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string jobId, string error);
}
