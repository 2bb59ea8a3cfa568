using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Jobs;
using Orchard.Domain.State.InMemory;
using Orchard.Domain.State.Redis;
using Orchard.Domain.Workers;
using StackExchange.Redis;

namespace Orchard.Domain.State;

/// <summary>The state stores in use: Redis, or the in-memory fallback when Redis could not be reached at start-up.</summary>
public sealed partial class StateBackend : IDisposable
{
    public const string RedisKind = "redis";
    public const string MemoryKind = "memory";

    private StateBackend(string kind, IJobStore jobs, IWorkerRegistry workers, ILeaseStore leases, IPreferenceStore preferences, IConnectionMultiplexer? redis)
    {
        Leases = leases;
        Kind = kind;
        Jobs = jobs;
        Workers = workers;
        Preferences = preferences;
        Redis = redis;
    }

    /// <summary><c>redis</c> or <c>memory</c>, as <c>/stats</c> reports it.</summary>
    public string Kind { get; }

    public IJobStore Jobs { get; }

    public IWorkerRegistry Workers { get; }

    public IPreferenceStore Preferences { get; }

    /// <summary>The ready queue and the leases on it.</summary>
    public ILeaseStore Leases { get; }

    /// <summary>The one shared multiplexer, when on Redis.</summary>
    public IConnectionMultiplexer? Redis { get; }

    /// <summary>
    /// Connects to Redis; when that fails, logs the original master's two lines and falls back to memory, or, with the
    /// fallback off, throws <see cref="StateStoreUnavailableException"/> naming the setting.
    /// </summary>
    public static StateBackend Create(IOptions<StateOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        var settings = options.Value;
        var logger = loggers.CreateLogger<StateBackend>();
        if (string.IsNullOrWhiteSpace(settings.RedisConnectionString))
        {
            LogNoRedisConfigured(logger);
            return InMemory(options, time);
        }

        ConfigurationOptions config;
        try
        {
            config = ConfigurationOptions.Parse(settings.RedisConnectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or NotSupportedException)
        {
            throw new OptionsValidationException(
                nameof(StateOptions.RedisConnectionString), typeof(StateOptions),
                [$"State:RedisConnectionString is not a valid Redis connection string ({ex.Message}). Expected host:port[,password=...][,ssl=true]."]);
        }

        config.AbortOnConnectFail = true;
        config.ConnectTimeout = (int)settings.ConnectTimeout.TotalMilliseconds;
        config.ConnectRetry = 1;
        config.ClientName ??= "orchard";
        try
        {
            var redis = ConnectionMultiplexer.Connect(config);
            LogRedisConnected(logger, string.Join(", ", config.EndPoints.Select(e => e.ToString())));
            return new StateBackend(
                RedisKind,
                new RedisJobStore(redis, options, time, loggers.CreateLogger<RedisJobStore>()),
                new RedisWorkerRegistry(redis, options, time, loggers.CreateLogger<RedisWorkerRegistry>()),
                new RedisLeaseStore(redis, options, time, loggers.CreateLogger<RedisLeaseStore>()),
                new RedisPreferenceStore(redis, options, time, loggers.CreateLogger<RedisPreferenceStore>()),
                redis);
        }
        catch (RedisConnectionException ex)
        {
            if (!settings.FallbackToMemory)
            {
                throw new StateStoreUnavailableException(
                    $"Could not connect to Redis at {string.Join(", ", config.EndPoints.Select(e => e.ToString()))} (State:RedisConnectionString): {ex.Message} Start Redis, fix the setting, or set State:FallbackToMemory=true for local development.",
                    ex);
            }

            LogConnectionFailed(logger, ex.Message);
            LogFallback(logger);
            return InMemory(options, time);
        }
    }

    public void Dispose() => Redis?.Dispose();

    private static StateBackend InMemory(IOptions<StateOptions> options, TimeProvider time)
    {
        var workers = new InMemoryWorkerRegistry(options, time);
        return new(MemoryKind, new InMemoryJobStore(options, time), workers, new InMemoryLeaseStore(workers), new InMemoryPreferenceStore(options), null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "[Redis] Connected to {Endpoints}")]
    private static partial void LogRedisConnected(ILogger logger, string endpoints);

    [LoggerMessage(Level = LogLevel.Error, Message = "[Redis] Connection failed: {Reason}")]
    private static partial void LogConnectionFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "[Redis] Fallback to in-memory mode")]
    private static partial void LogFallback(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "[Redis] No State:RedisConnectionString configured; running in in-memory mode (data is lost on restart and not shared between instances)")]
    private static partial void LogNoRedisConfigured(ILogger logger);
}
