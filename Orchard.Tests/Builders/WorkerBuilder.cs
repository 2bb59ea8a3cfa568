using Orchard.Domain.Workers;

namespace Orchard.Tests.Builders;

/// <summary>Builds claims and samples for worker tests.</summary>
public static class WorkerBuilder
{
    public static ClaimRequest Claim(string chunkId = "job_chunk_0", TimeSpan? lease = null) =>
        new("job", chunkId, Guid.NewGuid().ToString("N"), lease ?? TimeSpan.FromMinutes(1));

    /// <summary>A sample with the given speed ratio on 60 s of audio.</summary>
    public static PerformanceSample Sample(double ratio, double audioSeconds = 60) =>
        new(audioSeconds, audioSeconds * ratio, DateTimeOffset.UtcNow);
}
