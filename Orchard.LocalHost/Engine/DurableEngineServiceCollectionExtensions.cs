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
        var version = server.Options.DefaultVersion;
        services.AddDurableTaskWorker(builder =>
        {
            builder.UseGrpc(server.Channel);
            builder.AddTasks(register);
            if (!string.IsNullOrEmpty(version))
            {
                // As the Functions host applies host.json's versioning: it runs instances of its version or older.
                builder.UseVersioning(new DurableTaskWorkerOptions.VersioningOptions
                {
                    Version = version,
                    DefaultVersion = version,
                    MatchStrategy = server.Options.VersionMatchStrategy,
                    FailureStrategy = server.Options.VersionFailureStrategy,
                });
            }
        });
        services.AddDurableTaskClient(builder =>
        {
            builder.UseGrpc(server.Channel);
            builder.RegisterDirectly();
            if (!string.IsNullOrEmpty(version))
            {
                builder.UseDefaultVersion(version);
            }
        });
        return services;
    }
}
