namespace Orchard.Domain.Jobs;

/// <summary>Where a job is in its life; serialised snake_case (<c>purifier_completed</c>) as the original master did.</summary>
public enum JobStatus
{
    Created,
    Purifying,
    PurifierCompleted,
    PurifierBypassed,
    Splitting,
    Processing,
    Aggregating,
    Completed,
    Failed,
    Cancelled,
}
