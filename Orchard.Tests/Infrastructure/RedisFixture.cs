using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchard.Domain.State;
using Orchard.Domain.State.Redis;
using StackExchange.Redis;

namespace Orchard.Tests.Infrastructure;

/// <summary>One shared connection to the real redis-server for a test collection; each test takes its own key prefix.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public IConnectionMultiplexer Redis { get; private set; } = null!;

    public string ConnectionString => TestEnvironment.RedisConnectionString;

    public async Task InitializeAsync() => Redis = await ConnectionMultiplexer.ConnectAsync(ConnectionString);

    public async Task DisposeAsync() => await Redis.DisposeAsync();

    /// <summary>A prefix no other test uses, so tests never see each other's keys.</summary>
    public static string NewPrefix() => $"test:{Guid.NewGuid():N}:";

    public static IOptions<StateOptions> Options(string prefix, Action<StateOptions>? configure = null)
    {
        var options = new StateOptions { KeyPrefix = prefix, OutageRetryBudget = TimeSpan.FromSeconds(5) };
        configure?.Invoke(options);
        return Microsoft.Extensions.Options.Options.Create(options);
    }

    public RedisJobStore JobStore(IOptions<StateOptions> options, IConnectionMultiplexer? redis = null) =>
        new(redis ?? Redis, options, TimeProvider.System, NullLogger<RedisJobStore>.Instance);

    public RedisWorkerRegistry WorkerRegistry(IOptions<StateOptions> options, IConnectionMultiplexer? redis = null) =>
        new(redis ?? Redis, options, TimeProvider.System, NullLogger<RedisWorkerRegistry>.Instance);
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}
