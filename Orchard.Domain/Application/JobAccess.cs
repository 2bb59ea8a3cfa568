using Microsoft.Extensions.Options;
using Orchard.Domain.Jobs;
using Orchard.Domain.Security;
using Orchard.Domain.Storage;
using Orchard.Domain.Transcripts;

namespace Orchard.Domain.Application;

/// <summary>
/// Jobs as each caller may see them. The administrator sees and removes every job. A client submits, and lists, reads,
/// downloads, cancels and deletes only its own: another's job answers exactly as a job that does not exist (404), so
/// ids are never confirmed. Workers reach no job here (403).
/// </summary>
public sealed class JobAccess(
    JobSubmission submission, JobReader reader, IJobStore jobs, JobRemoval removal, UploadSlots slots, ISecurityStore store, RateLimits limits,
    IOptions<StorageOptions> storage)
{
    /// <summary>How far one client listing scans its own index for a status filter before answering with a cursor.</summary>
    public const int MaxScannedPerPage = 2000;

    public async Task<JobSummary> SubmitAsync(CallerIdentity caller, Func<Task<JobUpload>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        RequireJobRole(caller);
        await limits.CheckSubmissionAsync(caller, cancellationToken);
        var upload = await read();
        long? declared = null;
        if (upload.UploadId is { } uploadId)
        {
            var grant = await store.GetUploadGrantAsync(uploadId, cancellationToken);
            if ((grant is null && !caller.IsAdministrator) || (grant is not null && !caller.IsAdministrator && grant.Owner != caller.Owner))
            {
                // Another client's upload looks like none at all; an upload from before grants (no record) stays the administrator's.
                throw new UploadNotFoundException(uploadId);
            }

            declared = grant?.DeclaredBytes;
        }

        var job = await submission.SubmitAsync(upload with { Owner = caller.Owner, DeclaredBytes = declared }, cancellationToken);
        if (caller.Role == Role.Client)
        {
            await store.AddOwnedJobAsync(caller.Owner, job.JobId, job.CreatedAt, cancellationToken);
        }

        return job;
    }

    /// <summary>
    /// <c>POST /uploads</c>: one blob, for at most <paramref name="declaredBytes"/> (absent: the upload limit, as before).
    /// Throws <see cref="UploadTooLargeException"/> (413) past <c>Storage:MaxUploadBytes</c>.
    /// </summary>
    public async Task<UploadSlot> CreateUploadAsync(CallerIdentity caller, long? declaredBytes, CancellationToken cancellationToken)
    {
        RequireJobRole(caller);
        var max = storage.Value.MaxUploadBytes;
        if (declaredBytes is <= 0)
        {
            throw new InvalidRequestException($"bytes must be the recording's size in bytes, from 1 to {max}.");
        }

        if (declaredBytes > max)
        {
            throw new UploadTooLargeException(max);
        }

        await limits.CheckSubmissionAsync(caller, cancellationToken);
        var slot = await slots.CreateAsync(cancellationToken);
        var bytes = declaredBytes ?? max;
        await store.SaveUploadGrantAsync(
            new UploadGrant(slot.Blob, bytes, caller.Owner), storage.Value.UploadUrlLifetime + storage.Value.AbandonedUploadAfter, cancellationToken);
        return slot with { MaxBytes = bytes };
    }

    public async Task<System.Text.Json.Nodes.JsonObject> GetViewAsync(CallerIdentity caller, string jobId, CancellationToken cancellationToken)
    {
        await EnsureVisibleAsync(caller, jobId, cancellationToken);
        return await reader.GetViewAsync(jobId, cancellationToken);
    }

    public async Task<RenderedTranscript> TranscriptAsync(CallerIdentity caller, string jobId, string? format, CancellationToken cancellationToken)
    {
        await EnsureVisibleAsync(caller, jobId, cancellationToken);
        return await reader.TranscriptAsync(jobId, format, cancellationToken);
    }

    public async Task<JobRemovalOutcome> RemoveAsync(CallerIdentity caller, string jobId, IJobOrchestrations orchestrations, CancellationToken cancellationToken)
    {
        var owner = await EnsureVisibleAsync(caller, jobId, cancellationToken);
        var outcome = await removal.RemoveAsync(jobId, orchestrations, cancellationToken);
        if (outcome == JobRemovalOutcome.Deleted && owner is not null)
        {
            await store.RemoveOwnedJobAsync(owner, jobId, cancellationToken);
        }

        return outcome;
    }

    /// <summary>
    /// The administrator's listing is every job's; a client's is read from its own index, so other clients' jobs are
    /// never read at all. Entries whose job has left the live store (retention) leave the client's index as they are met.
    /// </summary>
    public async Task<JobListing> ListAsync(CallerIdentity caller, JobListRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireJobRole(caller);
        if (caller.IsAdministrator)
        {
            return await reader.ListAsync(request, cancellationToken);
        }

        var (maxScore, afterId) = JobCursor.Parse(request.Query.Cursor);
        var limit = request.Query.Limit;
        var found = new List<JobSummary>();
        var scanned = 0;
        while (true)
        {
            var batch = await store.OwnedJobsAsync(caller.Owner, maxScore, afterId, limit, cancellationToken);
            foreach (var (jobId, score) in batch)
            {
                scanned++;
                (maxScore, afterId) = (score.ToString("R", System.Globalization.CultureInfo.InvariantCulture), jobId);
                var summary = await jobs.GetAsync(jobId, cancellationToken);
                if (summary is null)
                {
                    await store.RemoveOwnedJobAsync(caller.Owner, jobId, cancellationToken);
                }
                else if ((request.Query.Status is not { } status || summary.Status == status) && found.Count < limit)
                {
                    found.Add(summary);
                }

                if (found.Count == limit)
                {
                    break;
                }
            }

            // The page is full, or a status filter has read its share of the index: the rest is behind the cursor.
            if (found.Count == limit || (batch.Count == limit && scanned >= MaxScannedPerPage))
            {
                return await reader.RenderAsync(new JobPage(found, JobCursor.Format(maxScore, afterId)), request.SummaryOnly, cancellationToken);
            }

            if (batch.Count < limit)
            {
                return await reader.RenderAsync(new JobPage(found, null), request.SummaryOnly, cancellationToken);
            }
        }
    }

    /// <summary>The job's owner when the caller may see it; otherwise <see cref="JobNotFoundException"/>, as for a job that does not exist.</summary>
    public async Task<string?> EnsureVisibleAsync(CallerIdentity caller, string jobId, CancellationToken cancellationToken)
    {
        RequireJobRole(caller);
        JobReader.EnsureJobId(jobId);
        if (caller.IsAdministrator)
        {
            return (await jobs.GetAsync(jobId, cancellationToken))?.Owner;
        }

        var document = await reader.GetDocumentAsync(jobId, cancellationToken);
        return caller.MaySee(document.Summary.Owner) ? document.Summary.Owner : throw new JobNotFoundException(jobId);
    }

    private static void RequireJobRole(CallerIdentity caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        caller.Require(Role.Administrator, Role.Client);
    }
}
