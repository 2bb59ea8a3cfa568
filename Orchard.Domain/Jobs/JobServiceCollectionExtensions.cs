using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orchard.Domain.State;

namespace Orchard.Domain.Jobs;

/// <summary>Registers what the API and the jobs timer use to read, remove and clean up jobs.</summary>
public static class JobServiceCollectionExtensions
{
    public static IServiceCollection AddOrchardJobs(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<JobReader>();
        services.TryAddSingleton<JobRemoval>();
        services.TryAddSingleton<JobMaintenance>();
        services.TryAddSingleton<StatsReport>();
        return services;
    }
}
