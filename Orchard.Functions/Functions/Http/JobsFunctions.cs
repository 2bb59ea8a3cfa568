using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Functions.Functions.Orchestration;

namespace Orchard.Functions.Functions.Http;

/// <summary><c>/jobs</c> and the original's <c>/submit</c>.</summary>
public sealed class JobsFunctions(JobSubmission submission, IJobStore jobs, JobProgress progress, IOptions<DispatchOptions> dispatch)
{
    [Function(nameof(SubmitJob))]
    public Task<IActionResult> SubmitJob(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "jobs")] HttpRequest request, [DurableClient] DurableTaskClient durable) =>
        SubmitCore(request, durable);

    /// <summary>The original master's path, kept for its clients.</summary>
    [Function(nameof(Submit))]
    public Task<IActionResult> Submit(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "submit")] HttpRequest request, [DurableClient] DurableTaskClient durable) =>
        SubmitCore(request, durable);

    [Function(nameof(GetJob))]
    public Task<IActionResult> GetJob([HttpTrigger(AuthorizationLevel.Function, "get", Route = "jobs/{id}")] HttpRequest request, string id) =>
        ApiResults.Guard(async () =>
        {
            var document = await jobs.GetDocumentAsync(id, request.HttpContext.RequestAborted) ?? throw new JobNotFoundException(id);
            var transcript = document.Summary.Status == JobStatus.Completed ? await progress.TranscriptAsync(id, request.HttpContext.RequestAborted) : null;
            return ApiResults.Json(JobView.Create(document, transcript));
        });

    [Function(nameof(ListJobs))]
    public Task<IActionResult> ListJobs([HttpTrigger(AuthorizationLevel.Function, "get", Route = "jobs")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            var limit = int.TryParse(request.Query["limit"], out var l) ? l : 50;
            var page = await jobs.ListAsync(new JobQuery(limit, Cursor: request.Query["cursor"]), request.HttpContext.RequestAborted);
            return ApiResults.Json(new { jobs = page.Jobs, count = page.Jobs.Count, next_cursor = page.NextCursor });
        });

    private Task<IActionResult> SubmitCore(HttpRequest request, DurableTaskClient durable) =>
        ApiResults.Guard(async () =>
        {
            var (content, filename) = await UploadReader.ReadAsync(request);
            bool? purify = bool.TryParse(request.Query["purify"], out var p) ? p : null;
            var job = await submission.SubmitAsync(content, filename, purify, request.Query["language"], request.HttpContext.RequestAborted);
            var input = new JobRequest(job.JobId, job.Purify, job.Language, DispatchLimits.From(dispatch.Value));
            await durable.ScheduleNewOrchestrationInstanceAsync(nameof(JobOrchestrator), input, new StartOrchestrationOptions(job.JobId));
            var statusUrl = $"{request.Scheme}://{request.Host}{request.PathBase}/jobs/{job.JobId}";
            return ApiResults.Json(new { status = "accepted", job_id = job.JobId, status_url = statusUrl }, StatusCodes.Status202Accepted);
        });
}
