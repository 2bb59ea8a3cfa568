using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Orchard.Domain.Application;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Domain.Security;
using Orchard.Domain.Telemetry;
using Orchard.Functions.Functions.Orchestration;
using Orchard.Functions.Runtime;

namespace Orchard.Functions.Functions.Http;

/// <summary>
/// <c>/jobs</c> (with transcripts) and the original's <c>/submit</c>. Anonymous at the host, because clients hold
/// Orchard's client keys rather than platform keys: every call is identified by <see cref="CallerAuthorizer"/> and
/// answered by <see cref="JobAccess"/> (a client sees only its own jobs; the administrator every job).
/// </summary>
public sealed class JobsFunctions(JobSubmission submission, JobAccess access, CallerAuthorizer authorizer, IOptions<DispatchOptions> dispatch)
{
    [Function(nameof(SubmitJob))]
    public Task<IActionResult> SubmitJob(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "jobs")] HttpRequest request, [DurableClient] DurableTaskClient durable) =>
        SubmitCore(request, durable);

    /// <summary>The original master's path, kept for its clients.</summary>
    [Function(nameof(Submit))]
    public Task<IActionResult> Submit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "submit")] HttpRequest request, [DurableClient] DurableTaskClient durable) =>
        SubmitCore(request, durable);

    [Function(nameof(GetJob))]
    public Task<IActionResult> GetJob([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "jobs/{id}")] HttpRequest request, string id) =>
        ApiResults.Guard(async () => ApiResults.Json(await access.GetViewAsync(await authorizer.IdentifyAsync(request), id, request.HttpContext.RequestAborted)));

    [Function(nameof(ListJobs))]
    public Task<IActionResult> ListJobs([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "jobs")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            var query = JobListRequest.Parse(request.Query["limit"], request.Query["status"], request.Query["cursor"], request.Query["view"]);
            var listing = await access.ListAsync(await authorizer.IdentifyAsync(request), query, request.HttpContext.RequestAborted);
            return ApiResults.TaggedJson(request, new { jobs = listing.Jobs, count = listing.Count, next_cursor = listing.NextCursor });
        });

    [Function(nameof(GetTranscript))]
    public Task<IActionResult> GetTranscript([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "jobs/{id}/transcript")] HttpRequest request, string id) =>
        ApiResults.Guard(async () =>
        {
            var transcript = await access.TranscriptAsync(await authorizer.IdentifyAsync(request), id, request.Query["format"], request.HttpContext.RequestAborted);
            return ApiResults.Content(transcript.Content, transcript.ContentType);
        });

    /// <summary>Cancels a running job (its orchestration terminated) or deletes a finished one with its blobs.</summary>
    [Function(nameof(DeleteJob))]
    public Task<IActionResult> DeleteJob(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "jobs/{id}")] HttpRequest request, string id, [DurableClient] DurableTaskClient durable) =>
        ApiResults.Guard(async () =>
        {
            var outcome = await access.RemoveAsync(await authorizer.IdentifyAsync(request), id, new DurableJobOrchestrations(durable), request.HttpContext.RequestAborted);
            return ApiResults.Json(new { job_id = id, status = outcome == JobRemovalOutcome.Cancelled ? "cancelled" : "deleted" });
        });

    private Task<IActionResult> SubmitCore(HttpRequest request, DurableTaskClient durable) =>
        ApiResults.Guard(async () =>
        {
            // The orchestration is started inside this span, so the Durable Task client links the job's trace to it.
            var caller = await authorizer.IdentifyAsync(request);
            var trustedOnly = TrustedOnly(request);
            using var span = OrchardTelemetry.Source.StartActivity(OrchardTelemetry.SubmitSpan);
            var job = await access.SubmitAsync(caller, () => UploadReader.ReadAsync(request), request.HttpContext.RequestAborted);
            span?.SetTag(OrchardTelemetry.JobIdTag, job.JobId);
            var input = new JobRequest(job.JobId, job.Purify, job.Language, DispatchRules.From(dispatch.Value)) { Callback = job.CallbackUrl is not null, TrustedOnly = trustedOnly };
            try
            {
                await durable.ScheduleNewOrchestrationInstanceAsync(nameof(JobOrchestrator), input, new StartOrchestrationOptions(job.JobId));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await submission.FailUnstartedAsync(job.JobId, ex, CancellationToken.None);
                return ApiResults.Error(StatusCodes.Status503ServiceUnavailable, $"Job {job.JobId} could not be started: the orchestration service did not accept it. Submit the recording again.");
            }

            var statusUrl = $"{request.Scheme}://{request.Host}{request.PathBase}/jobs/{job.JobId}";
            return ApiResults.Json(new { status = "accepted", job_id = job.JobId, status_url = statusUrl }, StatusCodes.Status202Accepted);
        });

    /// <summary><c>?trusted_only=true</c>: the job's audio goes only to workers the administrator trusts (privacy).</summary>
    private static bool TrustedOnly(HttpRequest request) => request.Query["trusted_only"].FirstOrDefault() switch
    {
        null or "" or "false" or "0" => false,
        "true" or "1" => true,
        var other => throw new InvalidRequestException($"trusted_only must be true or false, not '{(other.Length > 20 ? other[..20] : other)}'."),
    };
}
