using Microsoft.Azure.Functions.Worker;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Domain.Telemetry;
using Orchard.Domain.Transcripts;

namespace Orchard.Functions.Functions.Orchestration;

/// <summary>
/// The job-level activities: status, audio preparation, transcript (whole or partial). Each is idempotent (runs at
/// least once) and runs in a span for its job.
/// </summary>
public sealed class JobActivities(JobProgress progress, JobPreparation preparation, TranscriptBuilder transcripts)
{
    [Function(nameof(SetJobStatus))]
    public Task<JobStatus> SetJobStatus([ActivityTrigger] JobStatusUpdate update) =>
        OrchardTelemetry.TraceAsync(nameof(SetJobStatus), update.JobId, null, async () =>
            (await progress.SetStatusAsync(update.JobId, new JobTransition(update.Status, update.Error, update.DurationMs), CancellationToken.None)).Status);

    [Function(nameof(PrepareAudio))]
    public Task<PreparedJob> PrepareAudio([ActivityTrigger] JobRequest request) =>
        OrchardTelemetry.TraceAsync(nameof(PrepareAudio), request.JobId, null, () => preparation.PrepareAsync(request.JobId, request.Purify, request.Language, request.TrustedOnly, CancellationToken.None));

    [Function(nameof(BuildTranscript))]
    public Task<int> BuildTranscript([ActivityTrigger] string jobId) =>
        OrchardTelemetry.TraceAsync(nameof(BuildTranscript), jobId, null, () => transcripts.BuildAsync(jobId, CancellationToken.None));

    [Function(nameof(BuildPartialTranscript))]
    public Task<PartialBuild> BuildPartialTranscript([ActivityTrigger] PartialTranscriptRequest request) =>
        OrchardTelemetry.TraceAsync(nameof(BuildPartialTranscript), request.JobId, null, () => transcripts.BuildPartialAsync(request.JobId, request.Failed, request.Stopped, CancellationToken.None));
}
