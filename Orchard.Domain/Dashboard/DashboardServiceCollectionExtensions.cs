using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orchard.Domain.Hosting;

namespace Orchard.Domain.Dashboard;

/// <summary>Registers the dashboard's feed, live stream, stream tokens and recording reader.</summary>
public static class DashboardServiceCollectionExtensions
{
    public static IServiceCollection AddOrchardDashboard(this IServiceCollection services)
    {
        services.AddOptions<DashboardOptions>()
            .Configure<IConfiguration>((o, configuration) => o.EphemeralKeyAllowed = FunctionsEnvironment.IsDevelopment(configuration))
            .BindConfiguration(DashboardOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StreamTokens>();
        services.TryAddSingleton<DashboardFeed>();
        services.TryAddSingleton<DashboardEvents>();
        services.TryAddSingleton<RecordingAudio>();
        return services;
    }
}
