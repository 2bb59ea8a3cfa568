using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Orchard.LocalHost.Engine;

public static class DurableEngineServiceCollectionExtensions
{
    /// <summary>
    /// Adds a Durable Task worker running the tasks <paramref name="register"/> adds, and a <see cref="DurableTaskClient"/>,
    /// both connected to <paramref name="server"/>. Tasks are created from this service collection's provider, so
    /// activities registered with <c>registry.AddActivity(name, sp => ...)</c> resolve the app's own services.
    /// </summary>
    public static IServiceCollection AddOrchardDurableEngine(
        this IServiceCollection services, DurableEngineServer server, Action<DurableTaskRegistry> register)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(register);
        services.AddDurableTaskWorker(builder =>
        {
            builder.UseGrpc(server.Channel);
            builder.AddTasks(register);
        });
        services.AddDurableTaskClient(builder =>
        {
            builder.UseGrpc(server.Channel);
            builder.RegisterDirectly();
        });
        return services;
    }
}
