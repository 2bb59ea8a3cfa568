using System.Text.Json;
using System.Text.Json.Nodes;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Domain.Json;
using Orchard.Domain.Storage;
using Orchard.Domain.Transcripts;

namespace Orchard.Domain.Application;

/// <summary>A page of <c>GET /jobs</c>: the original's <c>jobs</c> and <c>count</c>, plus the cursor of the next page.</summary>
public sealed record JobListing(IReadOnlyList<JsonObject> Jobs, int Count, string? NextCursor);

/// <summary>
/// Reads jobs for the API: the live record in Redis, or, once that has expired, the document archived in Blob Storage
/// when the job finished (kept for <c>Storage:JobRetention</c>).
/// </summary>
public sealed class JobReader(IJobStore jobs, JobProgress progress, RecordingStore recordings, TranscriptBuilder transcripts)
{
    /// <summary>
    /// The job with its chunks: live from Redis; once finished and expired there, from its archive; and while Redis has
    /// lost a running job's record (a restart), rebuilt from its blobs until the orchestration writes it again.
    /// Throws <see cref="JobNotFoundException"/>.
    /// </summary>
    public async Task<JobDocument> GetDocumentAsync(string jobId, CancellationToken cancellationToken)
    {
        EnsureJobId(jobId);
        return await jobs.GetDocumentAsync(jobId, cancellationToken)
            ?? await recordings.TryLoadJsonAsync<JobDocument>(RecordingStore.FinishedBlob(jobId), cancellationToken)
            ?? await progress.RebuildAsync(jobId, status: null, cancellationToken)
            ?? throw new JobNotFoundException(jobId);
    }

    /// <summary>
    /// The job document as the original served it, with <c>result</c> once completed, and for a failed or cancelled
    /// job the partial transcript it kept (<c>partial: true</c>, with its <c>gaps</c>).
    /// </summary>
    public async Task<JsonObject> GetViewAsync(string jobId, CancellationToken cancellationToken)
    {
        var document = await GetDocumentAsync(jobId, cancellationToken);
        return JobView.Create(document, await transcripts.KeptAsync(jobId, document.Summary.Status, cancellationToken));
    }

    /// <summary>Newest first; full documents (as the original listed them) or summaries without chunks.</summary>
    public async Task<JobListing> ListAsync(JobListRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await RenderAsync(await jobs.ListAsync(request.Query, cancellationToken), request.SummaryOnly, cancellationToken);
    }

    /// <summary>A page of summaries as <c>GET /jobs</c> shows it: summaries, or full documents with their transcripts.</summary>
    public async Task<JobListing> RenderAsync(JobPage page, bool summaryOnly, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var items = summaryOnly
            ? page.Jobs.Select(j => (JsonObject)JsonSerializer.SerializeToNode(j, OrchardJson.Options)!).ToArray()
            : await Task.WhenAll(page.Jobs.Select(j => FullViewAsync(j, cancellationToken)));
        return new JobListing(items, items.Length, page.NextCursor);
    }

    /// <summary>
    /// The transcript of a completed job in a format, or the partial one a failed or cancelled job kept (each gap
    /// marked); 409-worthy <see cref="JobNotFinishedException"/> while the job runs, or when it ended with nothing kept.
    /// </summary>
    public async Task<RenderedTranscript> TranscriptAsync(string jobId, string? format, CancellationToken cancellationToken)
    {
        var name = TranscriptFormats.Parse(format);
        var document = await GetDocumentAsync(jobId, cancellationToken);
        var status = document.Summary.Status;
        var transcript = await transcripts.KeptAsync(jobId, status, cancellationToken);
        if (transcript is null)
        {
            throw status == JobStatus.Completed ? new JobNotFoundException(jobId) : new JobNotFinishedException(jobId, status);
        }

        return TranscriptFormats.Render(transcript, name);
    }

    /// <summary>Job ids are GUIDs Orchard made; anything else is unknown (and never reaches a key or blob name).</summary>
    public static void EnsureJobId(string? jobId)
    {
        if (!Guid.TryParseExact(jobId, "D", out _))
        {
            throw new JobNotFoundException(jobId ?? string.Empty);
        }
    }

    private async Task<JsonObject> FullViewAsync(JobSummary summary, CancellationToken cancellationToken)
    {
        var document = await jobs.GetDocumentAsync(summary.JobId, cancellationToken) ?? new JobDocument(summary, []);
        // A listing reads only what is stored: a page of fifty jobs builds nothing.
        var transcript = JobLifecycle.IsTerminal(document.Summary.Status) ? await progress.TranscriptAsync(summary.JobId, cancellationToken) : null;
        return JobView.Create(document, transcript);
    }
}
