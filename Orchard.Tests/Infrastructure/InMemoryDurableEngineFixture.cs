using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchard.LocalHost.Engine;

namespace Orchard.Tests.Infrastructure;

/// <summary>
/// One in-memory Durable Task engine for the whole test run. The engine takes one worker at a time, so every test
/// class using it joins <see cref="InMemoryDurableEngineCollection"/> (which runs them one after another) and
/// disposes its <see cref="DurableTestHost"/> before the test ends.
/// </summary>
public sealed class InMemoryDurableEngineFixture : IAsyncLifetime
{
    DurableEngineServer? server;

    public DurableEngineServer Server => server ?? throw new InvalidOperationException("The engine has not started.");

    public async Task InitializeAsync() => server = await DurableEngineServer.StartInMemoryAsync();

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>
    /// Starts a host with the test's own services and tasks, its worker and client connected to the shared engine.
    /// Register activities that need services with <c>registry.AddActivity(name, sp => ...)</c>.
    /// </summary>
    public async Task<DurableTestHost> StartHostAsync(
        Action<DurableTaskRegistry> register, Action<IServiceCollection>? configureServices = null, CancellationToken cancellationToken = default)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        configureServices?.Invoke(builder.Services);
        builder.Services.AddOrchardDurableEngine(Server, register);
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new DurableTestHost(host);
    }
}

/// <summary>A started host on the shared engine; dispose it to disconnect its worker.</summary>
public sealed class DurableTestHost(IHost host) : IAsyncDisposable
{
    public IServiceProvider Services => host.Services;

    public DurableTaskClient Client => host.Services.GetRequiredService<DurableTaskClient>();

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await host.StopAsync(timeout.Token);
        host.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class InMemoryDurableEngineCollection : ICollectionFixture<InMemoryDurableEngineFixture>
{
    public const string Name = "InMemoryDurableEngine";
}
