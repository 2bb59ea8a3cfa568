using Orchard.LocalHost.Engine;

namespace Orchard.LocalHost;

/// <summary>Says at start-up which real services the local host found, so a missing Azurite or Redis is obvious.</summary>
internal static partial class StartupReport
{

    public static async Task LogAsync(
        ILogger logger, string? localSettings, DurableEngineOptions engine, LocalHostOptions host, HostJson hostJson, IConfiguration configuration)
    {
        LogSettings(logger, localSettings ?? "(none found)");
        LogHostJson(
            logger,
            hostJson.RoutePrefix.Length == 0 ? "(none)" : "/" + hostJson.RoutePrefix,
            hostJson.FunctionTimeout?.ToString() ?? "unbounded",
            engine.TaskHubName,
            engine.PartitionCount,
            engine.MaxQueuePollingInterval,
            engine.WorkItemVisibilityTimeout,
            engine.MaxConcurrentActivities,
            engine.MaxConcurrentOrchestrations);
        var storageProblem = await ServiceProbe.StorageAsync(engine.StorageConnectionString);
        if (storageProblem is null)
        {
            LogStorageFound(logger, engine.TaskHubName);
        }
        else
        {
            LogStorageMissing(logger, storageProblem);
        }

        // The probe only reports what the app's own setting will find.
        var redis = configuration["State:RedisConnectionString"];
        if (string.IsNullOrWhiteSpace(redis))
        {
            LogRedisNotConfigured(logger);
            LogKey(logger, string.IsNullOrEmpty(host.FunctionKey) ? "not required" : "required on function-level routes");
            return;
        }

        var redisProblem = await ServiceProbe.RedisAsync(redis);
        if (redisProblem is null)
        {
            LogRedisFound(logger, redis.Split(',')[0]);
        }
        else
        {
            LogRedisMissing(logger, redis.Split(',')[0], redisProblem);
        }

        LogKey(logger, string.IsNullOrEmpty(host.FunctionKey) ? "not required" : "required on function-level routes");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "local.settings.json: {Path}")]
    static partial void LogSettings(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "host.json: route prefix {Prefix}, functionTimeout {Timeout}; durable engine (host.json unless DurableEngine:* overrides): task hub {TaskHub}, {Partitions} partition(s), queue polling up to {Polling}, work-item visibility {Visibility}, at most {Activities} activities and {Orchestrations} orchestrations at once")]
    static partial void LogHostJson(
        ILogger logger, string prefix, string timeout, string taskHub, int partitions, TimeSpan polling, TimeSpan visibility, int activities, int orchestrations);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage: reachable (task hub {TaskHub})")]
    static partial void LogStorageFound(ILogger logger, string taskHub);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage: NOT reachable ({Problem}); start Azurite with scripts/services.sh up")]
    static partial void LogStorageMissing(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis: reachable at {Endpoint}")]
    static partial void LogRedisFound(ILogger logger, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis: State:RedisConnectionString is not set; the app runs on its in-memory store")]
    static partial void LogRedisNotConfigured(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis: NOT reachable at {Endpoint} ({Problem})")]
    static partial void LogRedisMissing(ILogger logger, string endpoint, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Function key: {State}")]
    static partial void LogKey(ILogger logger, string state);
}
