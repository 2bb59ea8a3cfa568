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

    /// <summary>Clients Orchard issued keys to: field = client id, value = its JSON (name, SHA-256 of its key, created).</summary>
    public RedisKey Clients => Prefix + "orchard:clients";

    /// <summary>The other way round: field = SHA-256 of a client key, value = the client id.</summary>
    public RedisKey ClientKeys => Prefix + "orchard:clients:keys";

    /// <summary>Enrolled workers' credentials: field = worker id, value = JSON (SHA-256 of its token, trusted, enrolled).</summary>
    public RedisKey WorkerCredentials => Prefix + "orchard:workers:credentials";

    /// <summary>field = SHA-256 of a worker token, value = the worker id it belongs to.</summary>
    public RedisKey WorkerTokens => Prefix + "orchard:workers:tokens";

    /// <summary>The jobs one client submitted, scored by creation time (ms): a client's own listing.</summary>
    public RedisKey OwnedJobs(string owner) => Prefix + "orchard:owner:" + owner + ":jobs";

    /// <summary>What <c>POST /uploads</c> granted for one upload blob (declared size, owner), until the upload is abandoned.</summary>
    public RedisKey UploadGrant(string uploadId) => Prefix + "orchard:uploads:" + uploadId;

    /// <summary>One fixed rate-limit window's count for one identity in one bucket (submissions, registrations).</summary>
    public RedisKey RateWindow(string bucket, string identity) => Prefix + "orchard:rate:" + bucket + ":" + identity;

    /// <summary>The snake_case name a status has in JSON and in keys.</summary>
    public static string StatusName(JobStatus status) => OrchardJson.Serialize(status).Trim('"');
}
