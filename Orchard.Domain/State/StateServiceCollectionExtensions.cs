using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Hosting;
using Orchard.Domain.Jobs;
using Orchard.Domain.Workers;

namespace Orchard.Domain.State;

/// <summary>Registers the state layer.</summary>
public static class StateServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="StateOptions"/> (section <c>State</c>; the fallback defaults to on in Development only), connects to Redis once at start-up
    /// (one shared multiplexer) or falls back to memory, and exposes the stores.
    /// </summary>
    public static IServiceCollection AddOrchardState(this IServiceCollection services)
    {
        services.AddOptions<StateOptions>()
            .Configure<IConfiguration>((o, configuration) => o.FallbackToMemory = FunctionsEnvironment.IsDevelopment(configuration))
            .BindConfiguration(StateOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => StateBackend.Create(
            sp.GetRequiredService<IOptions<StateOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton<IJobStore>(sp => sp.GetRequiredService<StateBackend>().Jobs);
        services.TryAddSingleton<IWorkerRegistry>(sp => sp.GetRequiredService<StateBackend>().Workers);
        services.TryAddSingleton<ILeaseStore>(sp => sp.GetRequiredService<StateBackend>().Leases);
        services.TryAddSingleton<ReadySignal>();
        services.TryAddSingleton<IPreferenceStore>(sp => sp.GetRequiredService<StateBackend>().Preferences);
        services.AddHostedService<StateStartup>();
        return services;
    }

    /// <summary>Connects (or falls back) while the host starts, so the outcome is logged then and a bad setting stops the start.</summary>
    private sealed class StateStartup(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = services.GetRequiredService<StateBackend>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
