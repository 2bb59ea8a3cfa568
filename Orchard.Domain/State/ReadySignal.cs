using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Orchard.Domain.State;

/// <summary>
/// "Work was made ready, or a lease ended": wakes the long-polling lease calls and the push pump on every instance
/// (Redis pub/sub on the shared multiplexer; in process with the in-memory fallback). A missed signal costs at most
/// the waiter's own bounded wait, never a chunk: waiters look at the queue again when their wait ends.
/// </summary>
public sealed class ReadySignal
{
    private readonly ISubscriber? subscriber;
    private readonly RedisChannel channel;
    private readonly Lock gate = new();
    private TaskCompletionSource pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int subscribed;

    public ReadySignal(StateBackend backend, IOptions<StateOptions> options)
    {
        subscriber = backend.Redis?.GetSubscriber();
        channel = new RedisKeys(options.Value.KeyPrefix).ReadyChannel;
    }

    /// <summary>Tells every instance's waiters to look again.</summary>
    public async Task NotifyAsync()
    {
        Pulse();
        if (subscriber is not null)
        {
            try
            {
                await subscriber.PublishAsync(channel, "1", CommandFlags.FireAndForget);
            }
            catch (RedisException)
            {
                // Other instances then notice at the end of their bounded wait.
            }
        }
    }

    /// <summary>Completes at the next signal from any instance, or after <paramref name="max"/>.</summary>
    public async Task WaitAsync(TimeSpan max, CancellationToken cancellationToken)
    {
        await EnsureSubscribedAsync();
        Task next;
        lock (gate)
        {
            next = pulse.Task;
        }

        await Task.WhenAny(next, Task.Delay(max, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
    }

    private void Pulse()
    {
        TaskCompletionSource done;
        lock (gate)
        {
            done = pulse;
            pulse = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        done.TrySetResult();
    }

    private async Task EnsureSubscribedAsync()
    {
        if (subscriber is null || Interlocked.Exchange(ref subscribed, 1) == 1)
        {
            return;
        }

        try
        {
            await subscriber.SubscribeAsync(channel, (_, _) => Pulse());
        }
        catch (RedisException)
        {
            Volatile.Write(ref subscribed, 0);
        }
    }
}
