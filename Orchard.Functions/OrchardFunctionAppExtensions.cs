using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orchard.Domain.Application;
using Orchard.Domain.Audio;
using Orchard.Domain.Dashboard;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Hosting;
using Orchard.Domain.State;
using Orchard.Domain.Storage;
using Orchard.Domain.Telemetry;
using Orchard.Functions.Functions.Timers;
using Orchard.Functions.Runtime;

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
        services.AddOrchardSecurity();
        services.AddOrchardWebhooks();
        services.AddOrchardDashboard();
        services.AddOrchardTelemetry(configuration);
        services.AddSingleton<DurableClientHolder>();
        services.AddSingleton<IJobEvents, DurableJobEvents>();
        services.AddHostedService<FunctionTimeoutCheck>();
        services.AddHostedService<OrchestrationVersionCheck>();
        services.AddSingleton(WorkerSweepFunctions.Timer);
        services.AddSingleton(JobCleanupFunctions.Timer);
        services.AddSingleton<HealthReport>();
        services.AddHostedService<InactiveTimerWarning>();
        return services;
    }

    /// <summary>
    /// Lets request bodies up to the Functions host's own limit reach the app. <c>ConfigureFunctionsWebApplication</c>
    /// runs the worker's own Kestrel, whose 30,000,000-byte default would refuse a 29–100 MB recording the host
    /// accepted, before the app could answer (a 500). Larger bodies the host refuses itself.
    /// </summary>
    public static IServiceCollection AddOrchardHttpLimits(this IServiceCollection services) =>
        services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = FunctionsHostLimits.MaxRequestBodyBytes);
}
