using Orchard.Domain.Workers;

namespace Orchard.Tests.Builders;

/// <summary>Builds offers, lease requests and samples for worker and queue tests.</summary>
public static class WorkerBuilder
{
    /// <summary>A chunk offered for job <paramref name="jobId"/> with <paramref name="seconds"/> of audio.</summary>
    public static ChunkOffer Offer(int index, double seconds = 60, string jobId = "job", string? language = null) =>
        new(jobId, index, $"{jobId}_chunk_{index}", seconds * 1000, language);

    /// <summary>A lease request for this worker, longest chunk first unless told.</summary>
    public static LeaseRequest Lease(string workerId, LeasePick pick = LeasePick.Longest, TimeSpan? ttl = null) =>
        new(workerId, Guid.NewGuid().ToString("N"), pick, ttl ?? TimeSpan.FromMinutes(1), 256);

    /// <summary>A sample with the given speed ratio on 60 s of audio.</summary>
    public static PerformanceSample Sample(double ratio, double audioSeconds = 60) =>
        new(audioSeconds, audioSeconds * ratio, DateTimeOffset.UtcNow);
}
