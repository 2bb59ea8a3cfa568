using Orchard.Domain.Jobs;

namespace Orchard.Domain.Transcripts;

/// <summary>How a job that could not transcribe every chunk ended: its status, its transcript's size, its error.</summary>
public sealed record PartialBuild(JobStatus Status, int Segments, int Gaps, string? Error);
