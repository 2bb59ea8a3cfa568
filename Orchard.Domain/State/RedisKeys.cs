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

    /// <summary>Chunks ready for a worker: members <c>job|index</c>, scored by the audio sent (ms).</summary>
    public RedisKey ReadyQueue => Prefix + "orchard:ready";

    /// <summary>Each ready member's offer (JSON), by member.</summary>
    public RedisKey Offers => Prefix + "orchard:offers";

    /// <summary>A counter the offer script raises whenever chunks are made ready (a long poll's "nothing new since I looked").</summary>
    public RedisKey ReadyVersion => Prefix + "orchard:ready-version";

    /// <summary>Live leases, scored by when they expire (ms).</summary>
    public RedisKey Leases => Prefix + "orchard:leases";

    public string LeasePrefix => Prefix + "orchard:lease:";

    public string ChunkLeasesPrefix => Prefix + "orchard:chunk-leases:";

    public string AnsweredPrefix => Prefix + "orchard:done:";

    /// <summary>Per job, the workers that refused it (a language they do not serve).</summary>
    public string DeclinedPrefix => Prefix + "orchard:declined:";

    public RedisKey Lease(string leaseId) => LeasePrefix + leaseId;

    /// <summary>The ready queue's member for a chunk.</summary>
    public static string ReadyMember(string jobId, int index) => jobId + "|" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The pub/sub channel that says "work was made ready" to every instance's waiting lease calls.</summary>
    public RedisChannel ReadyChannel => RedisChannel.Literal(Prefix + "orchard:ready-signal");

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
