using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Domain.Storage;
using Orchard.Domain.Webhooks;

namespace Orchard.Domain.Application;

/// <summary>What <c>DELETE /jobs/{id}</c> did.</summary>
public enum JobRemovalOutcome
{
    /// <summary>The job was running: its orchestration is terminated and its status is cancelled.</summary>
    Cancelled,

    /// <summary>The job had finished: its record, blobs and orchestration history are gone.</summary>
    Deleted,
}

/// <summary>
/// Cancels a running job or deletes a finished one. A cancelled job keeps what was transcribed: its partial
/// transcript is stored at once. A chunk already at a worker finishes there; its answer is discarded and the worker
/// is released when it answers. A cancelled job's callback is delivered as a finished one's is.
/// </summary>
public sealed partial class JobRemoval(
    JobReader reader, IJobStore jobs, JobProgress progress, RecordingStore recordings, TranscriptBuilder transcripts, IOptions<WebhooksOptions> webhooks, ILogger<JobRemoval> logger)
{
    public async Task<JobRemovalOutcome> RemoveAsync(string jobId, IJobOrchestrations orchestrations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orchestrations);
        var document = await reader.GetDocumentAsync(jobId, cancellationToken);
        if (!JobLifecycle.IsTerminal(document.Summary.Status))
        {
            // Terminate first, so no further step can move the job on after it is marked cancelled.
            await orchestrations.TerminateAsync(jobId, "Cancelled through DELETE /jobs/{id}.", cancellationToken);
            try
            {
                await progress.SetStatusAsync(jobId, new JobTransition(JobStatus.Cancelled, "Cancelled on request."), cancellationToken);
                LogCancelled(logger, jobId);
                await KeepTranscriptAsync(jobId, cancellationToken);
                if (document.Summary.CallbackUrl is not null)
                {
                    await StartCallbackAsync(jobId, orchestrations);
                }

                return JobRemovalOutcome.Cancelled;
            }
            catch (InvalidJobTransitionException)
            {
                // It finished meanwhile: delete it like any finished job.
            }
        }

        await jobs.DeleteAsync(jobId, cancellationToken);
        await recordings.DeleteJobAsync(jobId, cancellationToken);
        await orchestrations.PurgeAsync(jobId, cancellationToken);
        LogDeleted(logger, jobId);
        return JobRemovalOutcome.Deleted;
    }

    /// <summary>
    /// Stores the cancelled job's partial transcript now, so listings show it too. Not a reason to fail the cancel:
    /// reading the transcript builds it when it is missing.
    /// </summary>
    private async Task KeepTranscriptAsync(string jobId, CancellationToken cancellationToken)
    {
        try
        {
            await transcripts.KeptAsync(jobId, JobStatus.Cancelled, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogTranscriptDeferred(logger, jobId, ex);
        }
    }

    /// <summary>The job is cancelled whatever happens here: a callback that cannot be started is logged, not a failed cancel.</summary>
    private async Task StartCallbackAsync(string jobId, IJobOrchestrations orchestrations)
    {
        try
        {
            await orchestrations.StartCallbackAsync(jobId, CallbackSchedule.From(webhooks.Value), CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCallbackNotStarted(logger, jobId, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The callback of cancelled job {JobId} could not be started")]
    private static partial void LogCallbackNotStarted(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The partial transcript of cancelled job {JobId} could not be stored now; it is built when first asked for")]
    private static partial void LogTranscriptDeferred(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} cancelled on request")]
    private static partial void LogCancelled(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} deleted with its blobs on request")]
    private static partial void LogDeleted(ILogger logger, string jobId);
}
