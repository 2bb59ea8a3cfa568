using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orchard.Domain.Audio;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Domain.State;
using Orchard.Domain.Storage;
using Orchard.Domain.Workers;

namespace Orchard.Functions;

/// <summary>Everything the function app needs, composed once for every host (Functions host, local host, tests).</summary>
public static class OrchardFunctionAppExtensions
{
    /// <summary>Adds Orchard's domain services, each with its options bound and validated on start.</summary>
    public static IServiceCollection AddOrchardFunctionApp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOrchardState();
        services.AddOrchardStorage();
        services.AddOrchardAudio();
        services.AddOrchardDispatch();
        services.AddOrchardJobs();
        services.AddOrchardWorkers();
        return services;
    }
}
