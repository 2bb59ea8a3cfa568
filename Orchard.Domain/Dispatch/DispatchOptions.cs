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

    /// <summary>A lease not renewed for this long is lost, and its chunk goes to another worker (workers renew every <see cref="RenewEvery"/>).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(12);

    /// <summary>How often a worker renews its lease: a dead worker is noticed within <see cref="LeaseTtl"/>, after two missed renewals.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan RenewEvery { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>A lease is overdue (a hedge candidate) after this floor plus <see cref="OverdueFactor"/>× the worker's expected time.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan OverdueFloor { get; set; } = TimeSpan.FromSeconds(5);

    [Range(1.0, 100.0)]
    public double OverdueFactor { get; set; } = 2;

    /// <summary>Lease an overdue chunk again to a faster idle worker when the job has nothing else waiting; the first answer wins.</summary>
    public bool Hedging { get; set; } = true;

    /// <summary>How often a job's orchestration checks the queue against what it heard (a lost event, Redis emptied).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ReviewInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Events one generation of a job's orchestration handles before it continues as new, so history stays bounded.</summary>
    [Range(10, 10000)]
    public int EventsPerGeneration { get; set; } = 200;

    /// <summary>Push deliveries one master instance runs at once (the push pump's bound).</summary>
    [Range(1, 1000)]
    public int MaxPushes { get; set; } = 64;

    /// <summary>The longest a lease call waits for work.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:25")]
    public TimeSpan MaxLeaseWait { get; set; } = TimeSpan.FromSeconds(25);
}
