using Microsoft.Extensions.Logging.Abstractions;
using Orchard.Domain.State;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.State;

/// <summary>
/// The ready signal on the real Redis, two "instances" being two backends (their own multiplexers) on one prefix: a
/// chunk made ready wakes one long poll, not all of them, on this instance and on the other.
/// </summary>
public sealed class ReadySignalTests(RedisFixture redis) : IClassFixture<RedisFixture>, IDisposable
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(20);

    private readonly List<StateBackend> backends = [];
    private readonly string prefix = RedisFixture.NewPrefix();

    public void Dispose()
    {
        foreach (var backend in backends)
        {
            backend.Dispose();
        }
    }

    [Fact]
    public async Task NotifyAsync_WakesOnePollPerChunk_WhenManyPollsWait()
    {
        var signal = await InstanceAsync();
        var polls = Enumerable.Range(0, 5).Select(_ => signal.WaitForWorkAsync(Long, CancellationToken.None)).ToArray();
        await Poll.UntilAsync(() => signal.Waiting == 5, "five polls waiting");

        await signal.NotifyAsync(2);

        await Poll.UntilAsync(() => polls.Count(p => p.IsCompleted) == 2, "two polls woken");
        Assert.Equal(3, signal.Waiting);
        // The oldest two, each told it was woken by a chunk.
        Assert.True(await polls[0] && await polls[1]);
        await Task.Delay(300);
        Assert.Equal(2, polls.Count(p => p.IsCompleted));
        await signal.NotifyAsync(10);
        Assert.All(await Task.WhenAll(polls), Assert.True);
    }

    [Fact]
    public async Task NotifyAsync_WakesAPollOnAnotherInstance_WhenWorkIsMadeReadyThere()
    {
        var here = await InstanceAsync();
        var there = await InstanceAsync();
        var pollsThere = Enumerable.Range(0, 3).Select(_ => there.WaitForWorkAsync(Long, CancellationToken.None)).ToArray();
        await Poll.UntilAsync(() => there.Waiting == 3, "three polls waiting on the other instance");

        await here.NotifyAsync(1);

        await Poll.UntilAsync(() => pollsThere.Count(p => p.IsCompleted) == 1, "one poll woken on the other instance");
        Assert.True(await pollsThere[0]);
        await Task.Delay(300);
        Assert.Equal(2, there.Waiting);
        await here.NotifyAsync(2);
        await Task.WhenAll(pollsThere).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task NotifyLeaseEndedAsync_WakesThePumpButNoPoll_WhenALeaseEnds()
    {
        var here = await InstanceAsync();
        var there = await InstanceAsync();
        var poll = there.WaitForWorkAsync(Long, CancellationToken.None);
        var pumpHere = here.WaitAsync(Long, CancellationToken.None);
        await Poll.UntilAsync(() => there.Waiting == 1, "a poll waiting");
        var pumpThere = there.WaitAsync(Long, CancellationToken.None);

        await here.NotifyLeaseEndedAsync();

        await Task.WhenAll(pumpHere, pumpThere).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(poll.IsCompleted);
        await there.NotifyAsync(1);
        Assert.True(await poll.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task WaitForWorkAsync_HandsTheWakeOn_WhenTheWokenPollHasLeft()
    {
        var signal = await InstanceAsync();
        using var leaving = new CancellationTokenSource();
        var gone = signal.WaitForWorkAsync(Long, leaving.Token);
        var staying = signal.WaitForWorkAsync(Long, CancellationToken.None);
        await Poll.UntilAsync(() => signal.Waiting == 2, "two polls waiting");
        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gone);

        await signal.NotifyAsync(1);

        Assert.True(await staying.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, signal.Waiting);
    }

    [Fact]
    public async Task WaitForWorkAsync_ReturnsFalse_WhenNothingIsMadeReady()
    {
        var signal = await InstanceAsync(redisBacked: false);

        var woken = await signal.WaitForWorkAsync(TimeSpan.FromMilliseconds(100), CancellationToken.None);

        Assert.False(woken);
        Assert.Equal(0, signal.Waiting);
    }

    /// <summary>A signal subscribed already (a first, short wait subscribes it), as on an instance that has served polls.</summary>
    private async Task<ReadySignal> InstanceAsync(bool redisBacked = true)
    {
        var options = RedisFixture.Options(prefix, o => o.RedisConnectionString = redisBacked ? redis.ConnectionString : null);
        var backend = StateBackend.Create(options, TimeProvider.System, NullLoggerFactory.Instance);
        backends.Add(backend);
        var signal = new ReadySignal(backend, options);
        await signal.WaitForWorkAsync(TimeSpan.FromMilliseconds(1), CancellationToken.None);
        return signal;
    }
}
