using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orchard.Domain.Net;

namespace Orchard.Domain.Dispatch;

/// <summary>Registers dispatch: options, the worker HTTP client, progress tracking and the dispatcher.</summary>
public static class DispatchServiceCollectionExtensions
{
    public static IServiceCollection AddOrchardDispatch(this IServiceCollection services)
    {
        services.AddOptions<DispatchOptions>().BindConfiguration(DispatchOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        // Timeouts are per delivery (from the audio's length and the worker's speed), not the client's default.
        services.AddOutboundHttpClient(WorkerClient.HttpClientName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WorkerClient>();
        services.TryAddSingleton<JobProgress>();
        services.TryAddSingleton<LeaseBroker>();
        services.TryAddSingleton<JobQueue>();
        services.AddHostedService<PushPump>();
        services.TryAddSingleton<JobPreparation>();
        services.TryAddSingleton<TranscriptBuilder>();
        return services;
    }
}
