namespace Orchard.Domain.Jobs;

/// <summary>The job orchestrations as the API and the timers need them; implemented over the Durable Task client.</summary>
public interface IJobOrchestrations
{
    /// <summary>Stops the job's orchestration if it is still running; nothing when it is not.</summary>
    Task TerminateAsync(string jobId, string reason, CancellationToken cancellationToken);

    /// <summary>Removes the finished orchestration's history (its callback's too); nothing when there is none.</summary>
    Task PurgeAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Starts the delivery of a finished job's callback; nothing when it was started already.</summary>
    Task StartCallbackAsync(string jobId, Webhooks.CallbackSchedule schedule, CancellationToken cancellationToken);
}
