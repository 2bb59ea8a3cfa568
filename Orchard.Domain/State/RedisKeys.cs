using Orchard.Domain.Jobs;
using Orchard.Domain.Json;
using StackExchange.Redis;

namespace Orchard.Domain.State;

/// <summary>
/// Every Redis key Orchard uses, in one place. With an empty prefix the layout is what operators know:
/// <c>job:&lt;id&gt;</c> and <c>worker:&lt;id&gt;</c> are JSON strings; chunks live in the hash <c>chunks:&lt;id&gt;</c>
/// (not under <c>job:</c>, so <c>KEYS job:*</c> lists only jobs); indexes are sorted sets under <c>orchard:</c>.
/// </summary>
public sealed class RedisKeys(string prefix)
{
    public string Prefix { get; } = prefix;

    public string JobPrefix => Prefix + "job:";

    public string WorkerPrefix => Prefix + "worker:";

    public RedisKey Job(string jobId) => JobPrefix + jobId;

    public RedisKey Chunks(string jobId) => Prefix + "chunks:" + jobId;

    public RedisKey Worker(string workerId) => WorkerPrefix + workerId;

    /// <summary>All jobs, scored by creation time (ms).</summary>
    public RedisKey JobIndex => Prefix + "orchard:jobs";

    /// <summary>Finished jobs, scored by the time their record expires (ms).</summary>
    public RedisKey JobExpiry => Prefix + "orchard:jobs:expiry";

    /// <summary>Jobs of one status, scored by creation time (ms).</summary>
    public RedisKey JobsWithStatus(JobStatus status) => Prefix + "orchard:jobs:status:" + StatusName(status);

    /// <summary>Every status index, in enum order (the scripts receive them in this order).</summary>
    public RedisKey[] AllStatusIndexes() => Enum.GetValues<JobStatus>().Select(JobsWithStatus).ToArray();

    /// <summary>All workers, scored by last successful contact (ms).</summary>
    public RedisKey WorkerIndex => Prefix + "orchard:workers";

    public RedisKey PurifierPreference => Prefix + "orchard:preferences:purifier";

    /// <summary>The snake_case name a status has in JSON and in keys.</summary>
    public static string StatusName(JobStatus status) => OrchardJson.Serialize(status).Trim('"');
}
