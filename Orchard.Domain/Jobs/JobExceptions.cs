using Orchard.Domain.Json;

namespace Orchard.Domain.Jobs;

/// <summary>A job may not move from one status to another (e.g. out of <c>completed</c>).</summary>
public sealed class InvalidJobTransitionException(string jobId, JobStatus from, JobStatus to)
    : InvalidOperationException($"Job {jobId} cannot move from {Name(from)} to {Name(to)}.")
{
    public string JobId { get; } = jobId;

    public JobStatus From { get; } = from;

    public JobStatus To { get; } = to;

    private static string Name(JobStatus status) => OrchardJson.Serialize(status).Trim('"');
}

/// <summary>No job with this id is known (never created, deleted, or expired).</summary>
public sealed class JobNotFoundException(string jobId) : KeyNotFoundException($"Job {jobId} was not found.")
{
    public string JobId { get; } = jobId;
}

/// <summary>A job with this id already exists.</summary>
public sealed class DuplicateJobException(string jobId) : InvalidOperationException($"Job {jobId} already exists.")
{
    public string JobId { get; } = jobId;
}

/// <summary>The job has not finished (or did not complete), so what was asked for does not exist yet.</summary>
public sealed class JobNotFinishedException(string jobId, JobStatus status)
    : InvalidOperationException(status is JobStatus.Failed or JobStatus.Cancelled
        ? $"Job {jobId} is {Name(status)} and has no transcript: it ended before its recording was split into chunks (GET /jobs/{jobId} says why)."
        : $"Job {jobId} is still {Name(status)}; the transcript is ready once its status is completed (poll GET /jobs/{jobId}).")
{
    public string JobId { get; } = jobId;

    public JobStatus Status { get; } = status;

    private static string Name(JobStatus status) => OrchardJson.Serialize(status).Trim('"');
}

/// <summary>A query parameter or body field the caller sent cannot be used; the message says what would work.</summary>
public sealed class InvalidRequestException(string message) : ArgumentException(message);
