using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Orchard.Domain.Application;
using Orchard.Domain.Hosting;
using Orchard.Functions.Runtime;

namespace Orchard.Functions.Functions.Timers;

/// <summary>
/// Cleans index entries left by a manual DEL and purges jobs past retention (schedule: app setting
/// <c>Timers:JobCleanup</c>, which every deployment sets).
/// </summary>
public sealed class JobCleanupFunctions(JobMaintenance maintenance)
{
    public const string ScheduleSetting = "Timers:JobCleanup";

    public static readonly TimerSetting Timer = new(
        nameof(CleanUpJobs),
        ScheduleSetting,
        "old jobs are never purged: their blobs and orchestration history past Storage:JobRetention stay, and uploads never submitted are never deleted");

    [Function(nameof(CleanUpJobs))]
    public Task CleanUpJobs(
        [TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken) =>
        maintenance.RunAsync(new DurableJobOrchestrations(durable), cancellationToken);
}
