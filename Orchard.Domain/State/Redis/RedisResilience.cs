using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Orchard.Domain.State.Redis;

/// <summary>
/// Runs store operations through a Redis outage: reconnects happen in the multiplexer, this retries with
/// exponential backoff and reports <see cref="StateStoreUnavailableException"/> once the budget is spent.
/// Every operation it wraps is idempotent, so a retry after an unknown outcome is safe.
/// </summary>
internal sealed partial class RedisResilience(TimeSpan budget, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(2);

    public async Task<T> RunAsync<T>(string operation, Func<Task<T>> action, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                var elapsed = time.GetElapsedTime(started);
                if (elapsed + delay > budget)
                {
                    throw new StateStoreUnavailableException(
                        $"Redis did not answer '{operation}' for {elapsed.TotalSeconds:0.#} s ({ex.GetType().Name}: {ex.Message}). Check that Redis is running and State:RedisConnectionString points at it.",
                        ex);
                }

                LogRetry(logger, operation, attempt, delay.TotalMilliseconds, ex.Message);
                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
    }

    private static bool IsTransient(Exception ex) => ex switch
    {
        RedisConnectionException or RedisTimeoutException => true,
        // A restarted server may still be loading its data set, or read-only while a replica is promoted.
        RedisServerException server => server.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || server.Message.StartsWith("READONLY", StringComparison.Ordinal)
            || server.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal),
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "[Redis] {Operation} failed (attempt {Attempt}), retrying in {DelayMs} ms: {Reason}")]
    private static partial void LogRetry(ILogger logger, string operation, int attempt, double delayMs, string reason);
}
