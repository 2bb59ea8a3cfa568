using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchard.Domain.Audio;
using Orchard.Domain.State;
using Orchard.Domain.Storage;

namespace Orchard.Domain.Application;

/// <summary>Registers what the API and the jobs timer use to submit, read, remove and clean up jobs.</summary>
public static class JobServiceCollectionExtensions
{
    public static IServiceCollection AddOrchardJobs(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        // The upload cache lives under the audio work directory; Storage does not read AudioOptions itself.
        services.AddOptions<LocalSourceCacheLocation>().Configure<IOptions<AudioOptions>>((o, audio) => o.TempDirectory = audio.Value.TempDirectory);
        services.TryAddSingleton<JobSubmission>();
        services.TryAddSingleton<JobReader>();
        services.TryAddSingleton<JobRemoval>();
        services.TryAddSingleton<JobMaintenance>();
        services.TryAddSingleton<StatsReport>();
        return services;
    }
}
