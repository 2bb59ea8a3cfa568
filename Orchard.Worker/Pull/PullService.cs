using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Worker.Audio;
using Orchard.Worker.Contract;
using Orchard.Worker.Core;
using Orchard.Worker.Engines;
using Orchard.Worker.Registration;
using Orchard.Worker.Transcription;

namespace Orchard.Worker.Pull;

/// <summary>
/// The pull worker (docs/worker-protocol.md): registers without a URL, long-polls the master for a chunk, downloads
/// its audio, transcribes it while renewing the lease, answers with the result or a failure, and deletes the audio.
/// A 404 on the poll (or on the idle heartbeat) registers again with the same id; a 409 on a renewal stops the
/// transcription and drops the chunk. While the master is unreachable it waits from
/// <see cref="WorkerOptions.RetryInitialDelay"/> doubling to <see cref="WorkerOptions.RetryMaxDelay"/>.
/// </summary>
public sealed class PullService(
    MasterClient master,
    TranscriptionService transcription,
    IOptions<WorkerOptions> options,
    ILogger<PullService> logger) : BackgroundService
{
    /// <summary>The longest long poll the protocol allows.</summary>
    public const int WaitSeconds = 25;

    /// <summary>How often a result or failure is sent before the worker gives up and lets the lease expire.</summary>
    public const int AnswerAttempts = 3;

    private static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DefaultRenewal = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan ShortestRenewal = TimeSpan.FromMilliseconds(50);

    // A 204 sooner than this means the master did not hold the poll; asking again at once would spin.
    private static readonly TimeSpan ShortestPoll = TimeSpan.FromSeconds(1);

    private readonly WorkerOptions options = options.Value;
    private TimeSpan interval = DefaultInterval;
    private long lastHeartbeat;
    private int registrations;
    private int polls;
    private int leases;
    private int answered;
    private int failed;
    private int dropped;
    private int failures;

    /// <summary>The id the master gave this worker; null before the first registration.</summary>
    public string? WorkerId { get; private set; }

    /// <summary>Successful registrations so far.</summary>
    public int Registrations => Volatile.Read(ref registrations);

    /// <summary>Lease polls the master answered so far (204, 404 or 200).</summary>
    public int Polls => Volatile.Read(ref polls);

    /// <summary>Chunks leased so far.</summary>
    public int Leases => Volatile.Read(ref leases);

    /// <summary>Results the master accepted so far.</summary>
    public int Answered => Volatile.Read(ref answered);

    /// <summary>Chunks given back with <c>/fail</c> so far.</summary>
    public int Failed => Volatile.Read(ref failed);

    /// <summary>Chunks dropped because the lease was lost.</summary>
    public int Dropped => Volatile.Read(ref dropped);

    /// <summary>Attempts that could not reach the master so far.</summary>
    public int Failures => Volatile.Read(ref failures);

    /// <summary>Where the last chunk's audio was downloaded (deleted once answered), so tests can check it is gone.</summary>
    internal string? LastDownloadPath { get; private set; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var masterUrl = options.MasterUrl ?? string.Empty;
        var registered = false;
        var retry = options.RetryInitialDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!registered)
                {
                    await RegisterAsync(masterUrl, stoppingToken);
                    registered = true;
                }
                else if (!await HeartbeatIfDueAsync(TimeSpan.FromSeconds(WaitSeconds), stoppingToken))
                {
                    WorkerLog.Forgotten(logger, masterUrl, WorkerId!);
                    registered = false;
                    continue;
                }

                var asked = Stopwatch.StartNew();
                var poll = await master.LeaseAsync(WorkerId!, WaitSeconds, stoppingToken);
                Interlocked.Increment(ref polls);
                retry = options.RetryInitialDelay;
                switch (poll.Kind)
                {
                    case LeasePollKind.UnknownWorker:
                        // The master lost or expired this worker (restart, Redis flush): register at once, keeping the id.
                        WorkerLog.Forgotten(logger, masterUrl, WorkerId!);
                        registered = false;
                        break;
                    case LeasePollKind.NoWork when asked.Elapsed < ShortestPoll:
                        WorkerLog.ShortPoll(logger, masterUrl, asked.Elapsed, options.RetryInitialDelay);
                        await Task.Delay(options.RetryInitialDelay, stoppingToken);
                        break;
                    case LeasePollKind.Offer:
                        await ServeAsync(poll.Offer!, stoppingToken);
                        break;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is MasterUnavailableException or InvalidOperationException)
            {
                Interlocked.Increment(ref failures);
                WorkerLog.MasterUnreachable(logger, masterUrl, e.Message, retry);
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

    private async Task RegisterAsync(string masterUrl, CancellationToken cancellationToken)
    {
        var engine = transcription.Engine;
        var answer = await master.RegisterAsync(
            new RegistrationRequest(null, options.Name, engine.Model, WorkerId, engine.Languages, MasterClient.Protocol), cancellationToken);
        WorkerId = answer.Id;
        interval = answer.HeartbeatIntervalSeconds > 0 ? TimeSpan.FromSeconds(Math.Min(answer.HeartbeatIntervalSeconds, 3600)) : DefaultInterval;
        Volatile.Write(ref lastHeartbeat, Stopwatch.GetTimestamp());
        Interlocked.Increment(ref registrations);
        WorkerLog.RegisteredPull(logger, masterUrl, answer.Id, interval);
    }

    /// <summary>
    /// Sends the idle heartbeat when it would otherwise fall due within <paramref name="horizon"/> (the coming poll or
    /// renewal), so the master never sees a gap longer than its interval. False when the master forgot this worker.
    /// </summary>
    private async Task<bool> HeartbeatIfDueAsync(TimeSpan horizon, CancellationToken cancellationToken)
    {
        if (Stopwatch.GetElapsedTime(Volatile.Read(ref lastHeartbeat)) + horizon < interval)
        {
            return true;
        }

        if (!await master.HeartbeatAsync(WorkerId!, cancellationToken))
        {
            return false;
        }

        Volatile.Write(ref lastHeartbeat, Stopwatch.GetTimestamp());
        return true;
    }

    private async Task ServeAsync(LeaseOffer offer, CancellationToken stoppingToken)
    {
        var leaseId = offer.LeaseId!;
        Interlocked.Increment(ref leases);
        var renewEvery = RenewalInterval(offer.RenewEverySeconds, offer.LeaseSeconds);
        WorkerLog.Leased(logger, leaseId, offer.ChunkId ?? "?", offer.AudioSeconds, offer.Language ?? "auto", renewEvery);

        // Cancelled by a 409 on a renewal (or by the host stopping): the transcription stops, nothing is posted.
        using var lease = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var answeredToken = new CancellationTokenSource();
        var directory = Directory.CreateTempSubdirectory("orchard-lease-");
        var renewing = RenewAsync(leaseId, renewEvery, lease, answeredToken.Token);
        try
        {
            await AnswerAsync(offer, Path.Combine(directory.FullName, "audio"), lease, stoppingToken);
        }
        finally
        {
            await answeredToken.CancelAsync();
            await renewing;

            // Privacy: a worker keeps nothing it received once it has answered.
            directory.Delete(recursive: true);
        }
    }

    private async Task AnswerAsync(LeaseOffer offer, string path, CancellationTokenSource lease, CancellationToken stoppingToken)
    {
        var leaseId = offer.LeaseId!;
        string? language = null;
        if (offer.Language is not null && !LanguageCode.TryNormalize(offer.Language, out language))
        {
            await FailAsync(leaseId, $"'{Trim(offer.Language)}' is not a language this worker knows", declined: true, lease.Token);
            return;
        }

        // Declined before downloading: the audio of a chunk this engine cannot serve need not cross the network.
        if (language is not null && language != "auto" && transcription.Engine.Languages is { } languages && !languages.Contains(language))
        {
            await FailAsync(leaseId, $"the {transcription.Engine.Name} engine does not transcribe '{language}'", declined: true, lease.Token);
            return;
        }

        LastDownloadPath = path;
        TranscriptionResponse answer;
        try
        {
            using var downloadTimeout = CancellationTokenSource.CreateLinkedTokenSource(lease.Token);
            downloadTimeout.CancelAfter(options.Timeout);
            bool downloaded;
            try
            {
                downloaded = await master.DownloadAsync(offer.AudioUrl!, path, options.MaxAudioBytes, downloadTimeout.Token);
            }
            catch (OperationCanceledException) when (downloadTimeout.IsCancellationRequested && !lease.IsCancellationRequested)
            {
                throw new TimeoutException($"The audio download took longer than Worker:Timeout ({options.Timeout}).");
            }

            if (!downloaded)
            {
                DropLease(leaseId);
                return;
            }

            await using var audio = File.OpenRead(path);
            answer = await transcription.TranscribeAsync(audio, language, includeFormattedLog: false, lease.Token);
        }
        catch (OperationCanceledException) when (lease.IsCancellationRequested)
        {
            if (!stoppingToken.IsCancellationRequested)
            {
                DropLease(leaseId);
            }

            // Stopping: the lease expires on the master and the chunk goes to another worker.
            return;
        }
        catch (UnsupportedLanguageException e)
        {
            await FailAsync(leaseId, e.Message, declined: true, lease.Token);
            return;
        }
        catch (Exception e) when (e is MasterUnavailableException or AudioTooLargeException or NoAudioDataException or AudioFormatException
            or TranscriptionEngineException or TimeoutException or WorkerBusyException or IOException)
        {
            WorkerLog.LeaseTranscriptionFailed(logger, leaseId, e.Message, e);
            await FailAsync(leaseId, e.Message, declined: false, lease.Token);
            return;
        }
        catch (Exception e)
        {
            // One unexpected failure gives the chunk back with its cause instead of ending the worker's loop.
            WorkerLog.LeaseTranscriptionFailed(logger, leaseId, e.Message, e);
            await FailAsync(leaseId, $"{e.GetType().Name}: {e.Message}", declined: false, lease.Token);
            return;
        }

        var status = await DeliverAsync(leaseId, token => master.PostResultAsync(leaseId, answer, token), lease.Token);
        if (status is { } delivered)
        {
            WorkerLog.ResultPosted(logger, leaseId, delivered.ToString());
            if (delivered == LeaseAnswerStatus.Accepted)
            {
                Interlocked.Increment(ref answered);
            }
            else if (delivered == LeaseAnswerStatus.Lost)
            {
                Interlocked.Increment(ref dropped);
            }
        }
    }

    private async Task FailAsync(string leaseId, string reason, bool declined, CancellationToken cancellationToken)
    {
        var failure = new LeaseFailure(Trim(reason, 1000), declined);
        var status = await DeliverAsync(leaseId, token => master.FailAsync(leaseId, failure, token), cancellationToken);
        if (status is { } delivered)
        {
            WorkerLog.FailPosted(logger, leaseId, failure.Reason, declined, delivered.ToString());
            Interlocked.Increment(ref failed);
        }
    }

    /// <summary>
    /// Sends a result or failure up to <see cref="AnswerAttempts"/> times (the master answers a repeat the same way);
    /// null when it never got through or the lease was lost meanwhile: the lease then expires on the master.
    /// </summary>
    private async Task<LeaseAnswerStatus?> DeliverAsync(string leaseId, Func<CancellationToken, Task<LeaseAnswerStatus>> send, CancellationToken cancellationToken)
    {
        var delay = options.RetryInitialDelay;
        for (var attempt = 1; attempt <= AnswerAttempts; attempt++)
        {
            try
            {
                return await send(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (MasterUnavailableException e)
            {
                Interlocked.Increment(ref failures);
                WorkerLog.AnswerUndelivered(logger, leaseId, e.Message, attempt, AnswerAttempts);
                if (attempt == AnswerAttempts)
                {
                    break;
                }

                try
                {
                    await Task.Delay(delay, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.RetryMaxDelay.Ticks));
            }
        }

        return null;
    }

    /// <summary>
    /// Renews every <paramref name="every"/> until <paramref name="done"/>; a 409 cancels <paramref name="lease"/>.
    /// A renewal that cannot reach the master is tried again at the next tick: the master decides when a lease is lost.
    /// The idle heartbeat rides along, so a long chunk does not make the worker look gone.
    /// </summary>
    private async Task RenewAsync(string leaseId, TimeSpan every, CancellationTokenSource lease, CancellationToken done)
    {
        while (!done.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, done);
                var renewal = await master.RenewAsync(leaseId, done);
                if (renewal is null)
                {
                    WorkerLog.LeaseLost(logger, leaseId);
                    await lease.CancelAsync();
                    return;
                }

                if (renewal.RenewEverySeconds > 0)
                {
                    every = RenewalInterval(renewal.RenewEverySeconds, 0);
                }

                // A 404 here is left to the next poll, which registers again.
                await HeartbeatIfDueAsync(every, done);
            }
            catch (OperationCanceledException) when (done.IsCancellationRequested)
            {
                return;
            }
            catch (MasterUnavailableException e)
            {
                Interlocked.Increment(ref failures);
                WorkerLog.RenewFailed(logger, leaseId, e.Message, every);
            }
        }
    }

    private void DropLease(string leaseId)
    {
        Interlocked.Increment(ref dropped);
        WorkerLog.LeaseLost(logger, leaseId);
    }

    /// <summary>The master's pace, kept below the lease's length and above a floor so a bad value cannot spin.</summary>
    private static TimeSpan RenewalInterval(double renewEverySeconds, double leaseSeconds)
    {
        var every = renewEverySeconds > 0 ? TimeSpan.FromSeconds(renewEverySeconds)
            : leaseSeconds > 0 ? TimeSpan.FromSeconds(leaseSeconds / 3)
            : DefaultRenewal;
        if (leaseSeconds > 0 && every >= TimeSpan.FromSeconds(leaseSeconds))
        {
            every = TimeSpan.FromSeconds(leaseSeconds / 3);
        }

        return every < ShortestRenewal ? ShortestRenewal : every > DefaultInterval ? DefaultInterval : every;
    }

    private static string Trim(string value, int length = 40) => value.Length <= length ? value : value[..length];
}
