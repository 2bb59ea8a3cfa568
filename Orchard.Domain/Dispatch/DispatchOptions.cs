using System.ComponentModel.DataAnnotations;

namespace Orchard.Domain.Dispatch;

/// <summary>How chunks go to workers (section <c>Dispatch</c>).</summary>
public sealed class DispatchOptions
{
    public const string SectionName = "Dispatch";

    /// <summary>Timeout = floor + audio × speed ratio × this factor, capped.</summary>
    [Range(1.0, 100.0)]
    public double SafetyFactor { get; set; } = 4;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan TimeoutFloor { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The longest a delivery may take; the engine's work-item visibility timeout must stay above it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan TimeoutCap { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Speed ratio assumed for a worker with no history (a slow phone may need 2× real time).</summary>
    [Range(0.01, 20.0)]
    public double UnmeasuredSpeedRatio { get; set; } = 2;

    /// <summary>Attempts per chunk before the job fails.</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>How long a job waits for any worker to become free before it fails.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan NoWorkerDeadline { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often a job with no free worker looks again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan NoWorkerPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Chunks in flight at once per job (bounded fan-out).</summary>
    [Range(1, 1000)]
    public int MaxInFlight { get; set; } = 32;

    /// <summary>Chunks per sub-orchestration, so no history grows without bound on a 10-hour recording.</summary>
    [Range(2, 5000)]
    public int BatchSize { get; set; } = 200;
}
