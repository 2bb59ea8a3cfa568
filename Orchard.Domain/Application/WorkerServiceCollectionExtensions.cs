using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchard.Domain.Net;
using Orchard.Domain.Workers;

namespace Orchard.Domain.Application;

/// <summary>Registers what keeps the worker fleet honest: heartbeat settings and the probing sweep.</summary>
public static class WorkerServiceCollectionExtensions
{
    public static IServiceCollection AddOrchardWorkers(this IServiceCollection services)
    {
        services.AddOptions<WorkersOptions>()
            .Configure<Microsoft.Extensions.Configuration.IConfiguration>((o, configuration) => o.Verification = !Hosting.FunctionsEnvironment.IsDevelopment(configuration))
            .BindConfiguration(WorkersOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        // Every outbound client (worker probes, push workers, webhooks) checks URLs with the rule these settings make.
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<WorkersOptions>>().Value.UrlPolicy());
        // The probe's timeout is per call (WorkersOptions.ProbeTimeout).
        services.AddOutboundHttpClient(WorkerMaintenance.HttpClientName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WorkerMaintenance>();
        services.TryAddSingleton<WorkerFleet>();
        return services;
    }
}
