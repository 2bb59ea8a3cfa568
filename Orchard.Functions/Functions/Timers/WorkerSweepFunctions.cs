using Microsoft.Azure.Functions.Worker;
using Orchard.Domain.Workers;

namespace Orchard.Functions.Functions.Timers;

/// <summary>Keeps the worker registry honest (schedule: app setting <c>Timers:WorkerSweep</c>, every minute by default).</summary>
public sealed class WorkerSweepFunctions(WorkerMaintenance maintenance)
{
    public const string ScheduleSetting = "Timers:WorkerSweep";

    [Function(nameof(SweepWorkers))]
    public Task SweepWorkers([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        maintenance.SweepAsync(cancellationToken);
}
