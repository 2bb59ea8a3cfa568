using System.ComponentModel.DataAnnotations;

namespace Orchard.Domain.State;

/// <summary>Settings of the state layer (section <c>State</c>).</summary>
public sealed class StateOptions : IValidatableObject
{
    public const string SectionName = "State";

    /// <summary>
    /// StackExchange.Redis connection string: host, port, password and TLS in one place,
    /// e.g. <c>cache.example.net:6380,password=...,ssl=true</c>. Empty means in-memory (only with the fallback on).
    /// </summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>
    /// Run on the in-memory store when Redis cannot be reached at start-up. Off unless set, except in Development
    /// (<see cref="Hosting.FunctionsEnvironment"/>): in the cloud every instance would silently keep its own registry.
    /// </summary>
    public bool FallbackToMemory { get; set; }

    /// <summary>Prefix for every key; empty in production so operators see <c>job:&lt;id&gt;</c>.</summary>
    public string KeyPrefix { get; set; } = string.Empty;

    /// <summary>
    /// How many workers the registry holds at most; a new one beyond it is refused (503), so a registration flood
    /// cannot grow the registry, or the work of every listing and claim over it, without bound.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxWorkers { get; set; } = 1000;

    /// <summary>How long a finished job's record stays in Redis.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan JobRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An idle worker that has not been heard from for this long is offline.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan WorkerOfflineAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A worker's key is removed this long after its last successful update.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan WorkerExpiry { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long to wait for Redis at start-up before falling back (or failing).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an operation keeps retrying while Redis is away before it reports the outage.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan OutageRetryBudget { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The purifier preference before anyone sets it.</summary>
    public bool DefaultUsePurifier { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(RedisConnectionString) && !FallbackToMemory)
        {
            yield return new ValidationResult(
                "State:RedisConnectionString is empty and State:FallbackToMemory is off: set a Redis connection string (host:port,password=...,ssl=true).",
                [nameof(RedisConnectionString)]);
        }

        if (WorkerExpiry < WorkerOfflineAfter)
        {
            yield return new ValidationResult(
                "State:WorkerExpiry must not be shorter than State:WorkerOfflineAfter, or offline workers would vanish before being shown.",
                [nameof(WorkerExpiry)]);
        }
    }
}
