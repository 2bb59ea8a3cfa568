using Microsoft.Azure.Functions.Worker;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Domain.Transcripts;

namespace Orchard.Functions.Functions.Orchestration;

/// <summary>The job-level activities: status, audio preparation, transcript (whole or partial). Each is idempotent (runs at least once).</summary>
public sealed class JobActivities(JobProgress progress, JobPreparation preparation, TranscriptBuilder transcripts)
{
    [Function(nameof(SetJobStatus))]
    public async Task<JobStatus> SetJobStatus([ActivityTrigger] JobStatusUpdate update) =>
        (await progress.SetStatusAsync(update.JobId, new JobTransition(update.Status, update.Error, update.DurationMs), CancellationToken.None)).Status;

    [Function(nameof(PrepareAudio))]
    public Task<PreparedJob> PrepareAudio([ActivityTrigger] JobRequest request) =>
        preparation.PrepareAsync(request.JobId, request.Purify, CancellationToken.None);

    [Function(nameof(BuildTranscript))]
    public Task<int> BuildTranscript([ActivityTrigger] string jobId) =>
        transcripts.BuildAsync(jobId, CancellationToken.None);

    [Function(nameof(BuildPartialTranscript))]
    public Task<PartialBuild> BuildPartialTranscript([ActivityTrigger] PartialTranscriptRequest request) =>
        transcripts.BuildPartialAsync(request.JobId, request.Failed, request.Stopped, CancellationToken.None);
}
