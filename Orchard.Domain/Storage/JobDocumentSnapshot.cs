using Orchard.Domain.Jobs;

namespace Orchard.Domain.Storage;

/// <summary>A finished job's document, as archived to Blob Storage.</summary>
public sealed record JobDocumentSnapshot(JobDocument Document)
{
    public string JobId => Document.Summary.JobId;

    public DateTimeOffset FinishedAt => Document.Summary.FinishedAt ?? Document.Summary.UpdatedAt;
}
