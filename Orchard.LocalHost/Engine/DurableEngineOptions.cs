using System.ComponentModel.DataAnnotations;
using Microsoft.DurableTask.Worker;
using Orchard.Functions.Runtime;

namespace Orchard.LocalHost.Engine;

/// <summary>Settings of the durable engine the local host and the tests run orchestrations on.</summary>
public sealed class DurableEngineOptions
{
    public const string SectionName = "DurableEngine";

    // Azure Storage derives table and queue names from the hub name, so it must be alphanumeric, 3-45 chars.
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,44}$")]
    public string TaskHubName { get; set; } = "OrchardHub";

    /// <summary>
    /// The orchestration version new instances start on, and the newest this host runs (host.json
    /// <c>defaultVersion</c>); each instance keeps its own. Empty turns versioning off, as for an engine without the app.
    /// </summary>
    [RegularExpression("^$|^[0-9]{1,9}(\\.[0-9]{1,9}){0,3}$")]
    public string DefaultVersion { get; set; } = JobVersions.Current;

    /// <summary>host.json <c>versionMatchStrategy</c>: which instances' versions this host runs.</summary>
    public DurableTaskWorkerOptions.VersionMatchStrategy VersionMatchStrategy { get; set; } = DurableTaskWorkerOptions.VersionMatchStrategy.CurrentOrOlder;

    /// <summary>host.json <c>versionFailureStrategy</c>: Reject leaves an instance this host may not run to another host; Fail ends it.</summary>
    public DurableTaskWorkerOptions.VersionFailureStrategy VersionFailureStrategy { get; set; } = DurableTaskWorkerOptions.VersionFailureStrategy.Reject;

    [Required]
    public string StorageConnectionString { get; set; } = "UseDevelopmentStorage=true";

    // One partition: a single local worker owns every control queue, and start-up needs only one lease.
    [Range(1, 16)]
    public int PartitionCount { get; set; } = 1;

    // Idle back-off ceiling of the queue pollers; it bounds the overhead between orchestration steps.
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:30")]
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    // How often a client's wait for completion re-reads the instance (Azure Storage alone would poll every 2 s).
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan StatusPollingInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    // How long an activity's message stays locked between renewals; the engine renews it every half of this while
    // the activity runs (host.json: storageProvider.workItemQueueVisibilityTimeout).
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan WorkItemVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(12);

    /// <summary>
    /// host.json's <c>functionTimeout</c>: an activity's lock is renewed at most this long, after which its message is
    /// delivered again, as when the Functions host times the activity out. Empty (or -1 in host.json): a day.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan? ActivityTimeout { get; set; }

    /// <summary>
    /// How long orchestration messages taken by a host that then died stay invisible. An orchestration episode
    /// takes milliseconds here, so a minute (not the backend's 5) lets a restarted host resume a job soon.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:30:00")]
    public TimeSpan ControlQueueVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(1);

    // The dispatchers sleep 500 ms whenever this many items are in flight, so keep them far above a fan-out.
    [Range(1, 100_000)]
    public int MaxConcurrentActivities { get; set; } = 1_000;

    [Range(1, 100_000)]
    public int MaxConcurrentOrchestrations { get; set; } = 200;
}
