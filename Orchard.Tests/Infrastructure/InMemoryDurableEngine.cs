using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchard.LocalHost.Engine;

namespace Orchard.Tests.Infrastructure;

/// <summary>
/// An in-memory Durable Task engine of the test's own. The sidecar takes one worker connection at a time, and a
/// worker connecting to an engine another test's worker had just left could find its dispatcher stalled (seen in CI as
/// a fan-out hanging for 30 s); an engine starts in a fraction of a second, so none is shared.
/// </summary>
public static class InMemoryDurableEngine
{
    /// <summary>
    /// Starts an engine and a host with the test's own services and tasks, its worker and client connected to it.
    /// Register activities that need services with <c>registry.AddActivity(name, sp => ...)</c>.
    /// </summary>
    public static async Task<DurableTestHost> StartHostAsync(
        Action<DurableTaskRegistry> register, Action<IServiceCollection>? configureServices = null, CancellationToken cancellationToken = default)
    {
        var server = await DurableEngineServer.StartInMemoryAsync(cancellationToken: cancellationToken);
        try
        {
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            configureServices?.Invoke(builder.Services);
            builder.Services.AddOrchardDurableEngine(server, register);
            var host = builder.Build();
            await host.StartAsync(cancellationToken);
            return new DurableTestHost(host, server);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }
}

/// <summary>A started host on its own engine; disposing it stops the host, then the engine.</summary>
public sealed class DurableTestHost(IHost host, DurableEngineServer server) : IAsyncDisposable
{
    public IServiceProvider Services => host.Services;

    public DurableTaskClient Client => host.Services.GetRequiredService<DurableTaskClient>();

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await host.StopAsync(timeout.Token);
        }

        host.Dispose();
        await server.DisposeAsync();
    }
}
