using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Orchard.LocalHost.Engine;

/// <summary>Which orchestration service a <see cref="DurableEngineServer"/> runs on.</summary>
public enum DurableEngineKind
{
    InMemory,
    AzureStorage,
}

/// <summary>
/// The Durable Task engine as a gRPC sidecar: a slim Kestrel app on 127.0.0.1 serving the InProcessTestHost's
/// <c>TaskHubGrpcServer</c> around an orchestration service. A worker and clients connect through <see cref="Channel"/>
/// (see <see cref="DurableEngineServiceCollectionExtensions.AddOrchardDurableEngine"/>). The server accepts one worker
/// connection at a time, so one app host per server.
/// </summary>
public sealed partial class DurableEngineServer : IAsyncDisposable
{
    // A connected worker keeps a streaming call open; do not wait the default 30 s for it when stopping.
    static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    readonly WebApplication app;
    readonly SidecarOrchestrationService service;
    readonly ILogger logger;
    int disposed;

    DurableEngineServer(DurableEngineKind kind, DurableEngineOptions options, WebApplication app, SidecarOrchestrationService service, Uri address, ILogger logger)
    {
        Kind = kind;
        Options = options;
        this.app = app;
        this.service = service;
        this.logger = logger;
        Address = address;
        Channel = GrpcChannel.ForAddress(address);
    }

    public DurableEngineKind Kind { get; }

    /// <summary>The settings it started with; its worker and clients take their versioning from them.</summary>
    public DurableEngineOptions Options { get; }

    /// <summary>Loopback address of the gRPC endpoint (HTTP/2 without TLS).</summary>
    public Uri Address { get; }

    /// <summary>Channel to the server; owned by the server, shared by its worker and clients.</summary>
    public GrpcChannel Channel { get; }

    /// <summary>Starts an engine on the InProcessTestHost's in-memory service: nothing persists, for tests.</summary>
    public static async Task<DurableEngineServer> StartInMemoryAsync(
        DurableEngineOptions? options = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        options ??= new DurableEngineOptions();
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        loggerFactory ??= NullLoggerFactory.Instance;
        var inMemory = new InMemoryOrchestrationService(loggerFactory);
        // The in-memory service never redelivers a locked activity: nothing to renew.
        return await StartAsync(DurableEngineKind.InMemory, inMemory, inMemory, options, renewal: null, loggerFactory, cancellationToken);
    }

    /// <summary>Starts an engine on DurableTask.AzureStorage (Azurite or a real account), creating the task hub if missing.</summary>
    public static async Task<DurableEngineServer> StartAzureStorageAsync(
        DurableEngineOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        loggerFactory ??= NullLoggerFactory.Instance;
        var settings = new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = options.TaskHubName,
            // Partition leases are owned by worker id, and the default (the machine name) is shared by every process on a
            // machine: two local hosts on one task hub would both renew the one partition lease and both run its
            // orchestrations (split brain, each episode committed twice and one discarded). One id per process.
            WorkerId = $"{Environment.MachineName}-{Environment.ProcessId}",
            StorageAccountClientProvider = new StorageAccountClientProvider(options.StorageConnectionString),
            PartitionCount = options.PartitionCount,
            MaxQueuePollingInterval = options.MaxQueuePollingInterval,
            WorkItemQueueVisibilityTimeout = options.WorkItemVisibilityTimeout,
            ControlQueueVisibilityTimeout = options.ControlQueueVisibilityTimeout,
            MaxConcurrentTaskActivityWorkItems = options.MaxConcurrentActivities,
            MaxConcurrentTaskOrchestrationWorkItems = options.MaxConcurrentOrchestrations,
            LoggerFactory = loggerFactory,
        };
        var storage = new AzureStorageOrchestrationService(settings);
        await storage.CreateIfNotExistsAsync().WaitAsync(cancellationToken);
        var client = new PollingOrchestrationServiceClient(storage, options.StatusPollingInterval);
        // Renewed at half the visibility timeout, as the Durable extension does: one late renewal still holds the lock.
        var renewal = new ActivityLockRenewal(options.WorkItemVisibilityTimeout / 2, options.ActivityTimeout ?? TimeSpan.FromDays(1));
        return await StartAsync(DurableEngineKind.AzureStorage, storage, client, options, renewal, loggerFactory, cancellationToken);
    }

    static async Task<DurableEngineServer> StartAsync(
        DurableEngineKind kind,
        IOrchestrationService service,
        IOrchestrationServiceClient client,
        DurableEngineOptions options,
        ActivityLockRenewal? renewal,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        // Loopback only, any free port: ignore the URLs or ports the process environment carries for the app.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [WebHostDefaults.ServerUrlsKey] = "http://127.0.0.1:0",
            [WebHostDefaults.HttpPortsKey] = "",
            [WebHostDefaults.HttpsPortsKey] = "",
        });
        // Stopped by DisposeAsync only: on Ctrl+C the app must stop its worker before the engine goes away.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = null);
        var logger = loggerFactory.CreateLogger<DurableEngineServer>();
        var sidecarService = new SidecarOrchestrationService(service, options.MaxConcurrentActivities, options.MaxConcurrentOrchestrations, renewal, logger);
        builder.Services.AddSingleton<IOrchestrationService>(sidecarService);
        builder.Services.AddSingleton(client);
        builder.Services.AddSingleton<TaskHubGrpcServer>();

        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        try
        {
            // Started here, awaited, before anything can stop it: see SidecarOrchestrationService.
            await sidecarService.StartOwnedAsync().WaitAsync(cancellationToken);
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await sidecarService.StopOwnedAsync(TimeSpan.Zero, ShutdownTimeout);
            await app.DisposeAsync();
            throw;
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var address = new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        LogStarted(logger, kind, address, options.TaskHubName);
        return new DurableEngineServer(kind, options, app, sidecarService, address, logger);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        var stopwatch = Stopwatch.StartNew();
        await Channel.ShutdownAsync();
        Channel.Dispose();
        using (var timeout = new CancellationTokenSource(ShutdownTimeout))
        {
            await app.StopAsync(timeout.Token);
        }

        // Stopping the storage service releases its partition lease now, so the next start does not wait for the lease to expire.
        await service.StopOwnedAsync(ShutdownTimeout, ShutdownTimeout);
        await app.DisposeAsync();
        (service.Inner as IDisposable)?.Dispose();
        LogStopped(logger, Kind, stopwatch.ElapsedMilliseconds);
    }

    sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Durable engine ({Kind}) listening on {Address}, task hub {TaskHub}")]
    static partial void LogStarted(ILogger logger, DurableEngineKind kind, Uri address, string taskHub);

    [LoggerMessage(Level = LogLevel.Information, Message = "Durable engine ({Kind}) stopped in {ElapsedMs} ms")]
    static partial void LogStopped(ILogger logger, DurableEngineKind kind, long elapsedMs);
}
