using Microsoft.Azure.Functions.Worker;
using Orchard.Domain.Application;
using Orchard.Domain.Hosting;

namespace Orchard.Functions.Functions.Timers;

/// <summary>Keeps the worker registry honest (schedule: app setting <c>Timers:WorkerSweep</c>, which every deployment sets).</summary>
public sealed class WorkerSweepFunctions(WorkerMaintenance maintenance)
{
    public const string ScheduleSetting = "Timers:WorkerSweep";

    public static readonly TimerSetting Timer = new(
        nameof(SweepWorkers),
        ScheduleSetting,
        "workers are never swept: a dead worker added by URL stays listed, silent workers are never marked offline and nothing expires");

    [Function(nameof(SweepWorkers))]
    public Task SweepWorkers([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        maintenance.SweepAsync(cancellationToken);
}
