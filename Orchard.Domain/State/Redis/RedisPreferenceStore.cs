using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Orchard.Domain.State.Redis;

/// <summary>Preferences as plain Redis strings (<c>orchard:preferences:purifier</c> = <c>true|false</c>).</summary>
public sealed class RedisPreferenceStore(IConnectionMultiplexer redis, IOptions<StateOptions> options, TimeProvider time, ILogger<RedisPreferenceStore> logger)
    : IPreferenceStore
{
    private readonly RedisKeys keys = new(options.Value.KeyPrefix);
    private readonly RedisResilience resilience = new(options.Value.OutageRetryBudget, time, logger);

    public Task<bool> GetUsePurifierAsync(CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(GetUsePurifierAsync), async () =>
        {
            var raw = await redis.GetDatabase().StringGetAsync(keys.PurifierPreference);
            return raw.IsNull ? options.Value.DefaultUsePurifier : raw == "true";
        }, cancellationToken);

    public Task SetUsePurifierAsync(bool usePurifier, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(SetUsePurifierAsync), () =>
            redis.GetDatabase().StringSetAsync(keys.PurifierPreference, usePurifier ? "true" : "false"), cancellationToken);
}
