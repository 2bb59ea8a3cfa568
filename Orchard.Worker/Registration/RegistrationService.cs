using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Worker.Core;
using Orchard.Worker.Engines;

namespace Orchard.Worker.Registration;

/// <summary>
/// Keeps this worker in the master's registry: registers, heartbeats at the interval the master asks for, registers
/// again (with its previous id) when a heartbeat gets 404, and while the master is down retries with a backoff from
/// <see cref="WorkerOptions.RetryInitialDelay"/> doubling to <see cref="WorkerOptions.RetryMaxDelay"/>. It never
/// stops the worker: transcription goes on whatever the master does.
/// </summary>
public sealed class RegistrationService(
    MasterClient master,
    ITranscriptionEngine engine,
    IOptions<WorkerOptions> options,
    ILogger<RegistrationService> logger) : BackgroundService
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);
    private readonly WorkerOptions options = options.Value;
    private int registrations;
    private int heartbeats;
    private int failures;

    /// <summary>The id the master gave this worker; null before the first registration.</summary>
    public string? WorkerId { get; private set; }

    /// <summary>Successful registrations so far.</summary>
    public int Registrations => Volatile.Read(ref registrations);

    /// <summary>Heartbeats the master accepted so far.</summary>
    public int Heartbeats => Volatile.Read(ref heartbeats);

    /// <summary>Attempts that could not reach the master so far.</summary>
    public int Failures => Volatile.Read(ref failures);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(options.MasterUrl))
        {
            WorkerLog.Standalone(logger);
            return;
        }

        var registered = false;
        var interval = DefaultInterval;
        var retry = options.RetryInitialDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!registered)
                {
                    var answer = await master.RegisterAsync(
                        new RegistrationRequest(options.PublicUrl, options.Name, engine.Model, WorkerId, engine.Languages), stoppingToken);
                    WorkerId = answer.Id;
                    interval = answer.HeartbeatIntervalSeconds > 0 ? TimeSpan.FromSeconds(Math.Min(answer.HeartbeatIntervalSeconds, 3600)) : DefaultInterval;
                    registered = true;
                    Interlocked.Increment(ref registrations);
                    WorkerLog.Registered(logger, options.MasterUrl, answer.Id, interval);
                }
                else if (await master.HeartbeatAsync(WorkerId!, stoppingToken))
                {
                    Interlocked.Increment(ref heartbeats);
                }
                else
                {
                    // The master lost or expired this worker (restart, Redis flush): register at once, keeping the id.
                    WorkerLog.Forgotten(logger, options.MasterUrl, WorkerId!);
                    registered = false;
                    continue;
                }

                retry = options.RetryInitialDelay;
                await Task.Delay(interval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is MasterUnavailableException or InvalidOperationException)
            {
                Interlocked.Increment(ref failures);
                WorkerLog.MasterUnreachable(logger, options.MasterUrl, e.Message, retry);
                try
                {
                    await Task.Delay(retry, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, options.RetryMaxDelay.Ticks));
            }
        }
    }
}
