using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Orchard.Domain.Jobs;

namespace Orchard.Functions.Functions.Timers;

/// <summary>
/// Cleans index entries left by a manual DEL and purges jobs past retention (schedule: app setting
/// <c>Timers:JobCleanup</c>, every minute by default).
/// </summary>
public sealed class JobCleanupFunctions(JobMaintenance maintenance)
{
    public const string ScheduleSetting = "Timers:JobCleanup";

    [Function(nameof(CleanUpJobs))]
    public Task CleanUpJobs(
        [TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken) =>
        maintenance.RunAsync(new DurableJobOrchestrations(durable), cancellationToken);
}
