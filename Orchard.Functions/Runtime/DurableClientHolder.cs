using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchard.Domain.Dispatch;

namespace Orchard.Functions.Runtime;

/// <summary>
/// The Durable Task client for code that runs outside a trigger (the push pump, the lease reaper). The isolated worker
/// binds a client only into functions, so every function that is given one (<c>[DurableClient]</c>) leaves it here; a
/// host that registers a client as a service (the local host) supplies it at once. Until one is known, events wait
/// for the orchestration's review to find what they would have said.
/// </summary>
public sealed class DurableClientHolder(IServiceProvider services)
{
    private DurableTaskClient? client;

    public DurableTaskClient? Client => Volatile.Read(ref client) ?? Remember(services.GetService<DurableTaskClient>());

    public DurableTaskClient? Remember(DurableTaskClient? given)
    {
        if (given is not null)
        {
            Interlocked.CompareExchange(ref client, given, null);
        }

        return Volatile.Read(ref client);
    }
}

/// <summary>Lease events raised on job orchestrations through the held Durable Task client.</summary>
public sealed partial class DurableJobEvents(DurableClientHolder holder, ILogger<DurableJobEvents> logger) : IJobEvents
{
    public async Task<bool> RaiseAsync(string jobId, LeaseEvent leaseEvent, CancellationToken cancellationToken)
    {
        if (holder.Client is not { } client)
        {
            return false;
        }

        try
        {
            await client.RaiseEventAsync(jobId, LeaseEvent.Name, leaseEvent, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The orchestration is gone (a finished or purged job) or the engine is unreachable: its review covers it.
            LogRaiseFailed(logger, jobId, ex.GetType().Name);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Raising a lease event on job {JobId} failed ({Type})")]
    private static partial void LogRaiseFailed(ILogger logger, string jobId, string type);
}
