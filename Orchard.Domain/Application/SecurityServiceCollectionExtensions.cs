using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Hosting;
using Orchard.Domain.Security;
using Orchard.Domain.State;
using Orchard.Domain.State.InMemory;
using Orchard.Domain.State.Redis;
using Orchard.Domain.Workers;

namespace Orchard.Domain.Application;

/// <summary>Registers who-may-do-what: <see cref="SecurityOptions"/>, the identity store beside the other stores, and the services.</summary>
public static class SecurityServiceCollectionExtensions
{
    /// <summary>Needs <c>AddOrchardState</c> (the store shares its Redis connection, or memory when that fell back).</summary>
    public static IServiceCollection AddOrchardSecurity(this IServiceCollection services)
    {
        services.AddOptions<SecurityOptions>()
            .Configure<IConfiguration>((o, configuration) => o.OpenAccess = FunctionsEnvironment.IsDevelopment(configuration))
            .BindConfiguration(SecurityOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<WorkersOptions>()
            .Validate(
                o => string.IsNullOrWhiteSpace(o.EnrollmentSecret) || o.EnrollmentSecret.Trim().Length >= SecurityOptions.MinKeyLength,
                $"Workers:EnrollmentSecret is too short; use at least {SecurityOptions.MinKeyLength} random characters (openssl rand -hex 32), or leave it empty to turn enrollment off.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISecurityStore>(sp => sp.GetRequiredService<StateBackend>().Redis is { } redis
            ? new RedisSecurityStore(redis, sp.GetRequiredService<IOptions<StateOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RedisSecurityStore>>())
            : new InMemorySecurityStore(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<CallerAuthorizer>();
        services.TryAddSingleton<ClientKeys>();
        services.TryAddSingleton<RateLimits>();
        services.TryAddSingleton<WorkerIdentity>();
        services.TryAddSingleton<JobAccess>();
        return services;
    }
}
