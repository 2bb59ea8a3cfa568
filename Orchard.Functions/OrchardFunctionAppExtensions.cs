using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Orchard.Functions;

// Stub so the engine branch compiles; the app branch replaces it at merge with the real composition.
public static class OrchardFunctionAppExtensions
{
    public static IServiceCollection AddOrchardFunctionApp(this IServiceCollection services, IConfiguration configuration) => services;
}
