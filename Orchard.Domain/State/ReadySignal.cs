using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Orchard.Domain.State;

/// <summary>
/// "Work was made ready, or a lease ended", across every instance (Redis pub/sub on the shared multiplexer; in process
/// with the in-memory fallback). Two kinds of listener:
/// <list type="bullet">
/// <item>long-polling lease calls (<see cref="WaitForWorkAsync"/>) queue up per instance and are woken one per chunk
/// made ready, oldest first: n offers wake at most n polls on each instance, never all of them, and a woken poll that
/// finds nothing wakes no other (so 200 parked polls cost one scan per offer, not 200);</item>
/// <item>the push pump (<see cref="WaitAsync"/>) is woken by every signal, a lease ending included (a URL worker is
/// free again).</item>
/// </list>
/// A missed or misdirected wake (the woken poll could not take the chunk) costs at most the waiter's own bounded wait,
/// never a chunk: waiters look at the queue again when their wait ends.
/// </summary>
public sealed class ReadySignal
{
    /// <summary>Tells this instance's own messages from the others' (it has woken its own waiters already).</summary>
    private readonly string origin = Guid.NewGuid().ToString("N")[..12];
    private readonly ISubscriber? subscriber;
    private readonly RedisChannel channel;
    private readonly Lock gate = new();
    private readonly LinkedList<TaskCompletionSource<bool>> waiters = new();
    private TaskCompletionSource pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int subscribed;

    public ReadySignal(StateBackend backend, IOptions<StateOptions> options)
    {
        subscriber = backend.Redis?.GetSubscriber();
        channel = new RedisKeys(options.Value.KeyPrefix).ReadyChannel;
    }

    /// <summary>Long polls waiting here now (for tests and diagnostics).</summary>
    public int Waiting
    {
        get
        {
            lock (gate)
            {
                return waiters.Count;
            }
        }
    }

    /// <summary>
    /// <paramref name="offers"/> chunks were made ready: wakes that many long polls on every instance (and the push
    /// pumps). Zero: a lease ended, which frees a URL worker but makes nothing new ready for a long poll.
    /// </summary>
    public async Task NotifyAsync(int offers)
    {
        Wake(Math.Max(0, offers));
        if (subscriber is not null)
        {
            try
            {
                await subscriber.PublishAsync(channel, $"{origin}:{Math.Max(0, offers).ToString(CultureInfo.InvariantCulture)}", CommandFlags.FireAndForget);
            }
            catch (RedisException)
            {
                // Other instances then notice at the end of their bounded wait.
            }
        }
    }

    /// <summary>A lease ended (answered, failed, lapsed): wakes the push pumps only.</summary>
    public Task NotifyLeaseEndedAsync() => NotifyAsync(0);

    /// <summary>For the push pump: completes at the next signal of any kind from any instance, or after <paramref name="max"/>.</summary>
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

    /// <summary>
    /// For a long poll: joins this instance's queue and completes when a chunk made ready (anywhere) is handed to it,
    /// or after <paramref name="max"/>. True when woken by a chunk.
    /// </summary>
    public async Task<bool> WaitForWorkAsync(TimeSpan max, CancellationToken cancellationToken)
    {
        var woken = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        LinkedListNode<TaskCompletionSource<bool>> node;
        lock (gate)
        {
            // In line at once, so the queue is in the order the polls came (the first one also subscribes, below).
            node = waiters.AddLast(woken);
        }

        try
        {
            await EnsureSubscribedAsync();
            await Task.WhenAny(woken.Task, Task.Delay(max, cancellationToken));
        }
        finally
        {
            lock (gate)
            {
                if (node.List is not null)
                {
                    waiters.Remove(node);
                }
            }
        }

        // Timed out or cancelled, unless a wake got here first: then it was this poll's, and it looks (no wake is lost).
        var mine = !woken.TrySetResult(false) && woken.Task.Result;
        cancellationToken.ThrowIfCancellationRequested();
        return mine;
    }

    /// <summary>Hands one wake to each of the <paramref name="count"/> longest-waiting polls here, and pulses the pump.</summary>
    private void Wake(int count)
    {
        TaskCompletionSource done;
        var handed = new List<TaskCompletionSource<bool>>(Math.Min(count, 16));
        lock (gate)
        {
            done = pulse;
            pulse = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            while (handed.Count < count && waiters.First is { } first)
            {
                waiters.RemoveFirst();
                handed.Add(first.Value);
            }
        }

        done.TrySetResult();
        var missed = 0;
        foreach (var waiter in handed)
        {
            // A poll that left at this very moment (its wait ended) does not take the wake with it.
            if (!waiter.TrySetResult(true))
            {
                missed++;
            }
        }

        if (missed > 0)
        {
            Wake(missed);
        }
    }

    private void OnMessage(RedisValue message)
    {
        var text = message.ToString();
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && text.AsSpan(0, colon).SequenceEqual(origin))
        {
            return;
        }

        // Anything unreadable (an older instance's "1") counts as one chunk.
        Wake(int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? Math.Min(n, 100_000) : 1);
    }

    private async Task EnsureSubscribedAsync()
    {
        if (subscriber is null || Interlocked.Exchange(ref subscribed, 1) == 1)
        {
            return;
        }

        try
        {
            await subscriber.SubscribeAsync(channel, (_, message) => OnMessage(message));
        }
        catch (RedisException)
        {
            Volatile.Write(ref subscribed, 0);
        }
    }
}
