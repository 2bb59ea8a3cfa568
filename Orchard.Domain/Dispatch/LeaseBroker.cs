using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Jobs;
using Orchard.Domain.State;
using Orchard.Domain.Storage;
using Orchard.Domain.Telemetry;
using Orchard.Domain.Transcripts;
using Orchard.Domain.Workers;

namespace Orchard.Domain.Dispatch;

/// <summary>
/// The one path of a chunk through a worker, for pull workers (the <c>/workers/{id}/lease</c> and <c>/leases</c>
/// triggers) and push workers (the <see cref="PushPump"/>) alike: lease → renew → answer or fail, each step told to the
/// job's orchestration as a <see cref="LeaseEvent"/>. No step waits on a device longer than a long poll.
/// </summary>
public sealed partial class LeaseBroker(
    ILeaseStore leases,
    IOptions<WorkersOptions> trust,
    IWorkerRegistry workers,
    ReadySignal signal,
    IJobEvents events,
    JobProgress progress,
    RecordingStore recordings,
    OrchardTelemetry telemetry,
    IOptions<DispatchOptions> options,
    TimeProvider time,
    ILogger<LeaseBroker> logger)
{
    /// <summary>The worker protocol version this master speaks (see docs/worker-protocol.md).</summary>
    public const int Protocol = 1;

    /// <summary>How many ready chunks one lease call looks at for one that suits the worker.</summary>
    private const int MaxScan = 256;

    /// <summary>How many expired leases one reap ends.</summary>
    private const int ReapBatch = 32;

    /// <summary>Reaping is cheap but shared: at most this often per instance.</summary>
    private static readonly TimeSpan ReapEvery = TimeSpan.FromMilliseconds(500);

    /// <summary>A worker list this fresh is good enough to tell the fastest online worker.</summary>
    private static readonly TimeSpan FleetCacheAge = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim fleetGate = new(1, 1);
    private IReadOnlyList<Worker> fleet = [];
    private long fleetAtMs;
    private long lastReapMs;

    public DispatchRules Rules => DispatchRules.From(options.Value);

    private long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Checks a worker's declared protocol version (null or empty: the current one).</summary>
    public static void CheckProtocol(string? version)
    {
        if (!string.IsNullOrWhiteSpace(version) && version.Trim() != Protocol.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new UnsupportedProtocolException(version.Length > 16 ? version[..16] : version);
        }
    }

    /// <summary>
    /// A long poll: a lease on the chunk that suits this worker best, waiting up to <paramref name="wait"/> for one to
    /// become ready (on any instance); null when none did. Throws <see cref="WorkerNotFoundException"/> for a worker
    /// the registry does not know.
    /// </summary>
    public async Task<ChunkLease?> LeaseAsync(string workerId, TimeSpan wait, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxLeaseWait;
        var until = NowMs + (long)(wait < max ? wait : max).TotalMilliseconds;
        for (var round = 0; round < 10_000; round++)
        {
            await ReapAsync(cancellationToken);
            var take = await TakeAsync(workerId, cancellationToken);
            var left = until - NowMs;
            switch (take.Status)
            {
                case LeaseTakeStatus.Leased:
                    return take.Lease;
                case LeaseTakeStatus.UnknownWorker:
                    throw new WorkerNotFoundException(workerId);
                case LeaseTakeStatus.Cooling when take.RetryAtMs < until:
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, take.RetryAtMs - NowMs)), time, cancellationToken);
                    continue;
            }

            if (left <= 0 || take.Status == LeaseTakeStatus.Cooling)
            {
                return null;
            }

            // Woken by a chunk made ready anywhere (one poll per chunk); looking again every 2 s at most also covers a
            // missed signal, and a wake that went to a poll that could not take the chunk.
            await signal.WaitForWorkAsync(TimeSpan.FromMilliseconds(Math.Min(left, 2000)), cancellationToken);
        }

        return null;
    }

    /// <summary>One atomic attempt to lease a chunk for this worker, with the policy's pick; tells the orchestration.</summary>
    public Task<LeaseTake> TakeAsync(string workerId, CancellationToken cancellationToken) =>
        TakeAsync(workerId, Guid.NewGuid().ToString("N"), cancellationToken);

    /// <summary>
    /// As <see cref="TakeAsync(string, CancellationToken)"/>, a new lease getting <paramref name="leaseId"/>: a lease
    /// with another id is the worker's live lease returned again (a retried call, or another instance's push).
    /// </summary>
    public async Task<LeaseTake> TakeAsync(string workerId, string leaseId, CancellationToken cancellationToken)
    {
        var rules = Rules;
        var online = await FleetAsync(cancellationToken);
        var worker = online.FirstOrDefault(w => w.Id == workerId) ?? await workers.GetAsync(workerId, cancellationToken);
        if (worker is null)
        {
            return new LeaseTake(LeaseTakeStatus.UnknownWorker);
        }

        var fastest = online.Min(w => w.AverageSpeedRatio);
        var pick = DispatchPolicy.PickFor(worker.AverageSpeedRatio, fastest, rules);
        var take = await leases.TakeAsync(new LeaseRequest(workerId, leaseId, pick, rules.LeaseTtl, MaxScan), cancellationToken);
        if (take is { Status: LeaseTakeStatus.Leased, Lease: { } lease })
        {
            // The fleet list may predate the worker's last answer (a pull worker leases again at once): its own record,
            // as the lease script saw it (or read once per lease, not per poll), has the speed its overdue time and a
            // hedge's terms must use.
            await StartedAsync(lease, take.Worker ?? await workers.GetAsync(workerId, cancellationToken) ?? worker, rules, cancellationToken);
        }

        return take;
    }

    /// <summary>Renews a lease for its worker; throws <see cref="LeaseLostException"/> when it is no longer theirs.</summary>
    public async Task<ChunkLease> RenewAsync(string leaseId, string? workerId, CancellationToken cancellationToken)
    {
        var owner = workerId ?? (await leases.GetAsync(leaseId, cancellationToken))?.WorkerId ?? throw new LeaseLostException(leaseId);
        return await leases.RenewAsync(leaseId, owner, Rules.LeaseTtl, cancellationToken) ?? throw new LeaseLostException(leaseId);
    }

    /// <summary>The worker a lease belongs to (live or lost but remembered); throws <see cref="LeaseLostException"/> for an unknown id.</summary>
    public async Task<string> OwnerAsync(string leaseId, CancellationToken cancellationToken) =>
        (await FindAsync(leaseId, cancellationToken)).WorkerId;

    /// <summary>
    /// The lease's record (live, or lost but remembered); throws <see cref="LeaseLostException"/> for an unknown id. A
    /// trigger reads it once, to authorize its caller, and hands it on.
    /// </summary>
    public async Task<ChunkLease> FindAsync(string leaseId, CancellationToken cancellationToken) =>
        await leases.GetAsync(leaseId, cancellationToken) ?? throw new LeaseLostException(leaseId);

    /// <summary>The live lease with this id; throws <see cref="LeaseLostException"/> otherwise.</summary>
    public async Task<ChunkLease> RequireAsync(string leaseId, CancellationToken cancellationToken) =>
        RequireLive(await FindAsync(leaseId, cancellationToken));

    private ChunkLease RequireLive(ChunkLease lease) => lease.ExpiresAtMs > NowMs ? lease : throw new LeaseLostException(lease.LeaseId);

    /// <summary>The chunk's audio, for the worker holding a live lease on it.</summary>
    public async Task<Stream> OpenAudioAsync(string leaseId, CancellationToken cancellationToken) =>
        await OpenAudioAsync(await FindAsync(leaseId, cancellationToken), cancellationToken);

    /// <summary>As <see cref="OpenAudioAsync(string, CancellationToken)"/>, with the lease's record just read.</summary>
    public async Task<Stream> OpenAudioAsync(ChunkLease lease, CancellationToken cancellationToken)
    {
        RequireLive(lease);
        return await recordings.OpenReadAsync(RecordingStore.ChunkBlob(lease.JobId, lease.Index), cancellationToken);
    }

    /// <summary>
    /// A pull worker's answer: read under the answer cap and normalised, then <see cref="CompleteAsync"/>. An
    /// unreadable answer fails the attempt (<see cref="AnswerRejectedException"/>).
    /// </summary>
    public async Task AcceptAsync(string leaseId, Stream body, CancellationToken cancellationToken) =>
        await AcceptAsync(await FindAsync(leaseId, cancellationToken), body, cancellationToken);

    /// <summary>As <see cref="AcceptAsync(string, Stream, CancellationToken)"/>, with the lease's record just read.</summary>
    public async Task AcceptAsync(ChunkLease lease, Stream body, CancellationToken cancellationToken)
    {
        // An ended lease (answered, so ended at once) may be an answer sent again: its stored answer tells. A live one
        // has no finished answer yet; one stored by a try that failed before finishing is found by CompleteAsync.
        if (lease.ExpiresAtMs <= NowMs)
        {
            if (await AlreadyAnsweredAsync(lease, cancellationToken))
            {
                return;
            }

            throw new LeaseLostException(lease.LeaseId);
        }

        NormalizedAnswer answer;
        try
        {
            answer = await WorkerClient.ReadAsync(lease.WorkerId, body, lease.SentMs, cancellationToken);
        }
        catch (WorkerFailedException ex)
        {
            await FailAsync(lease, ex.Kind, ex.Reason, cancellationToken);
            throw new AnswerRejectedException(ex.Reason);
        }

        await CompleteAsync(lease, answer, TimeSpan.FromMilliseconds(NowMs - lease.LeasedAtMs), cancellationToken);
    }

    /// <summary>
    /// Stores a valid answer. The first answer for a chunk wins (a conditional blob write): a later one, from a hedge
    /// or an expired lease, throws <see cref="LeaseLostException"/> and counts nothing. Idempotent for its own lease.
    /// </summary>
    public async Task CompleteAsync(ChunkLease lease, NormalizedAnswer answer, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        // Two independent reads, sent together (one wait instead of two).
        var reading = workers.GetAsync(lease.WorkerId, cancellationToken);
        var cancelling = progress.IsCancelledAsync(lease.JobId, cancellationToken);
        await Task.WhenAll(reading, cancelling);
        var worker = await reading;
        var sample = new PerformanceSample(lease.SentMs / 1000, elapsed.TotalSeconds, time.GetUtcNow());
        telemetry.WorkerAnswered(lease.WorkerId, sample);
        if (await cancelling)
        {
            // The job was cancelled while the worker worked: free the worker, keep its speed, drop the answer.
            await leases.EndAsync(lease.LeaseId, ReleaseOutcome.Succeeded, sample, null, cancellationToken);
            LogDiscarded(logger, lease.JobId, lease.Index);
            return;
        }

        var changes = answer.Changes.IsEmpty ? null : answer.Changes;
        if (changes is not null)
        {
            LogNormalized(logger, lease.JobId, lease.Index, lease.WorkerId, changes.Clamped, changes.Reordered, changes.DroppedEmpty, changes.Repeated, changes.Untimed);
        }

        if (worker is not null && TrustPolicy.NeedsCheck(worker, lease.LeaseId, trust.Value))
        {
            await KeepForCheckAsync(lease, worker, answer, sample, cancellationToken);
            return;
        }

        var result = new ChunkResult
        {
            Index = lease.Index,
            WorkerId = lease.WorkerId,
            WorkerUrl = worker?.Url,
            LeaseId = lease.LeaseId,
            SentMs = lease.SentMs,
            ElapsedMs = elapsed.TotalMilliseconds,
            Transcription = answer.Transcription,
            Normalized = changes,
        };
        if (!await recordings.TrySaveNewJsonAsync(RecordingStore.ResultBlob(lease.JobId, lease.Index), result, cancellationToken))
        {
            if (await AlreadyAnsweredAsync(lease, cancellationToken))
            {
                // This lease's own answer, stored by an earlier try: finished now, once, and checked against as it would have been.
                await CheckCandidatesAsync(lease.JobId, lease.Index, result, cancellationToken);
                return;
            }

            // Another lease answered first (a hedge, or this one expired and was re-leased).
            await leases.EndAsync(lease.LeaseId, ReleaseOutcome.Returned, null, null, cancellationToken);
            throw new LeaseLostException(lease.LeaseId);
        }

        await FinishAnsweredAsync(lease, result, sample, cancellationToken);
        await CheckCandidatesAsync(lease.JobId, lease.Index, result, cancellationToken);
    }

    /// <summary>
    /// An enrolled worker's answer waits aside (a candidate blob) for a trusted worker's answer to the same chunk; the
    /// orchestration offers the chunk to trusted workers only. Its words reach no transcript unless confirmed.
    /// </summary>
    private async Task KeepForCheckAsync(ChunkLease lease, Worker worker, NormalizedAnswer answer, PerformanceSample sample, CancellationToken cancellationToken)
    {
        await recordings.SaveJsonAsync(RecordingStore.CandidateBlob(lease.JobId, lease.Index, worker.Id), new CandidateAnswer(worker.Id, lease.LeaseId, answer.Transcription.Text), cancellationToken);
        if (await leases.EndAsync(lease.LeaseId, ReleaseOutcome.Provisional, sample, null, cancellationToken) is null)
        {
            throw new LeaseLostException(lease.LeaseId);
        }

        LogKeptForCheck(logger, worker.Id, lease.JobId, lease.Index);
        if (await recordings.TryLoadJsonAsync<ChunkResult>(RecordingStore.ResultBlob(lease.JobId, lease.Index), cancellationToken) is { } trusted)
        {
            // A trusted answer is there already (a hedge raced it): compare now.
            await CheckCandidatesAsync(lease.JobId, lease.Index, trusted, cancellationToken);
        }

        await RaiseAsync(lease.JobId, new LeaseEvent(LeaseEventKind.Answered, lease.Index, lease.LeaseId, lease.WorkerId, lease.Attempt) { Provisional = true }, cancellationToken);
        await signal.NotifyLeaseEndedAsync();
    }

    /// <summary>Compares every candidate answer of the chunk with the trusted one: agreement earns trust, disagreement quarantines.</summary>
    private async Task CheckCandidatesAsync(string jobId, int index, ChunkResult trusted, CancellationToken cancellationToken)
    {
        foreach (var name in await recordings.ListNamesAsync(RecordingStore.CandidatePrefix(jobId, index), cancellationToken))
        {
            if (await recordings.TryLoadJsonAsync<CandidateAnswer>(name, cancellationToken) is not { } candidate || candidate.WorkerId == trusted.WorkerId)
            {
                continue;
            }

            var agreement = TrustPolicy.Agreement(candidate.Text, trusted.Transcription.Text);
            var agreed = agreement >= trust.Value.AgreementThreshold;
            var reason = agreed ? null : $"its answer for chunk {index} of job {jobId} agreed on {agreement:P0} of the words with a trusted worker's (at least {trust.Value.AgreementThreshold:P0} needed)";
            var after = await workers.RecordVerificationAsync(candidate.WorkerId, agreed, trust.Value.VerifyAnswers, reason, cancellationToken);
            LogChecked(logger, candidate.WorkerId, jobId, index, agreement, after?.Trust ?? WorkerTrust.Unverified);
            await recordings.DeleteBlobAsync(name, cancellationToken);
        }
    }

    /// <summary>A worker gives up its lease (<paramref name="declined"/>: it cannot serve the chunk, no fault).</summary>
    public async Task FailAsync(string leaseId, string? reason, bool declined, CancellationToken cancellationToken) =>
        await FailAsync(await FindAsync(leaseId, cancellationToken), reason, declined, cancellationToken);

    /// <summary>As <see cref="FailAsync(string, string?, bool, CancellationToken)"/>, with the lease's record just read.</summary>
    public async Task FailAsync(ChunkLease lease, string? reason, bool declined, CancellationToken cancellationToken)
    {
        // A lease that ended (answered, expired, cancelled) is remembered, but giving it up is no longer this worker's to do.
        RequireLive(lease);
        var text = string.IsNullOrWhiteSpace(reason) ? "gave up without a reason" : Bounded(reason);
        await FailAsync(lease, declined ? WorkerFailureKind.Declined : WorkerFailureKind.ServerError, text, cancellationToken);
    }

    /// <summary>Ends a lease that brought no answer, and tells the orchestration how the attempt counts.</summary>
    public async Task FailAsync(ChunkLease lease, WorkerFailureKind kind, string reason, CancellationToken cancellationToken)
    {
        telemetry.DeliveryFailed(OrchardTelemetry.ReasonOf(kind));
        LogWorkerFailed(logger, lease.WorkerId, lease.JobId, lease.Index, kind, reason);
        var firstUnreadable = kind == WorkerFailureKind.InvalidAnswer ? await SameUnreadableAnswerAsync(lease, reason, cancellationToken) : null;
        var outcome = kind == WorkerFailureKind.Declined || firstUnreadable is not null ? ReleaseOutcome.Declined
            : kind is WorkerFailureKind.Unreachable or WorkerFailureKind.Timeout ? ReleaseOutcome.Unreachable : ReleaseOutcome.Failed;
        if (await leases.EndAsync(lease.LeaseId, outcome, null, reason, refusedJob: kind == WorkerFailureKind.Declined, cancellationToken) is null)
        {
            throw new LeaseLostException(lease.LeaseId);
        }

        var loss = firstUnreadable is not null ? LossKind.ChunkAtFault : kind == WorkerFailureKind.Declined ? LossKind.Declined : LossKind.Failed;
        var message = firstUnreadable is not null ? ChunkFaults.SameUnreadableAnswer(lease.Index, firstUnreadable.WorkerId, lease.WorkerId, reason) : reason;
        await LostAsync(lease, kind == WorkerFailureKind.Declined ? LeaseEventKind.Declined : LeaseEventKind.Failed, loss, message, cancellationToken);
    }

    /// <summary>Ends the leases whose workers stopped renewing them (at most every half second per instance).</summary>
    public async Task ReapAsync(CancellationToken cancellationToken)
    {
        var now = NowMs;
        var last = Interlocked.Read(ref lastReapMs);
        if (now - last < ReapEvery.TotalMilliseconds || Interlocked.CompareExchange(ref lastReapMs, now, last) != last)
        {
            return;
        }

        foreach (var lease in await leases.ReapAsync(ReapBatch, cancellationToken))
        {
            telemetry.DeliveryFailed(OrchardTelemetry.LeaseLapsed);
            LogExpired(logger, lease.WorkerId, lease.JobId, lease.Index);
            await LostAsync(lease, LeaseEventKind.Expired, LossKind.Failed, "the worker stopped renewing its lease", cancellationToken);
        }
    }

    /// <summary>The registered workers, at most a second old.</summary>
    public async Task<IReadOnlyList<Worker>> FleetAsync(CancellationToken cancellationToken)
    {
        if (NowMs - Interlocked.Read(ref fleetAtMs) < FleetCacheAge.TotalMilliseconds)
        {
            return Volatile.Read(ref fleet);
        }

        await fleetGate.WaitAsync(cancellationToken);
        try
        {
            if (NowMs - Interlocked.Read(ref fleetAtMs) >= FleetCacheAge.TotalMilliseconds)
            {
                Volatile.Write(ref fleet, await workers.ListAsync(cancellationToken));
                Interlocked.Exchange(ref fleetAtMs, NowMs);
            }

            return Volatile.Read(ref fleet);
        }
        finally
        {
            fleetGate.Release();
        }
    }

    private async Task StartedAsync(ChunkLease lease, Worker worker, DispatchRules rules, CancellationToken cancellationToken)
    {
        await progress.SetChunkAsync(lease.JobId, c => c with
        {
            Status = ChunkStatus.Processing,
            WorkerId = lease.WorkerId,
            WorkerUrl = worker.Url,
            Attempts = Math.Max(c.Attempts, lease.Attempt),
            StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(lease.LeasedAtMs),
            CompletedAt = null,
            Error = null,
        }, lease.Index, cancellationToken);
        var ratio = worker.AverageSpeedRatio;
        await RaiseAsync(lease.JobId, new LeaseEvent(LeaseEventKind.Leased, lease.Index, lease.LeaseId, lease.WorkerId, lease.Attempt)
        {
            LeasedAtMs = lease.LeasedAtMs,
            OverdueAtMs = DispatchPolicy.OverdueAtMs(lease.LeasedAtMs, lease.SentMs, ratio, rules),
            Ratio = ratio,
        }, cancellationToken);
    }

    private async Task<bool> AlreadyAnsweredAsync(ChunkLease lease, CancellationToken cancellationToken)
    {
        if (await recordings.TryLoadJsonAsync<ChunkResult>(RecordingStore.ResultBlob(lease.JobId, lease.Index), cancellationToken) is not { } stored
            || stored.LeaseId != lease.LeaseId)
        {
            return false;
        }

        // This lease's answer is stored (sent twice, or the first try failed after storing it): finish it, once.
        await FinishAnsweredAsync(lease, stored, null, cancellationToken);
        return true;
    }

    private async Task FinishAnsweredAsync(ChunkLease lease, ChunkResult result, PerformanceSample? sample, CancellationToken cancellationToken)
    {
        var ended = await leases.EndAsync(lease.LeaseId, ReleaseOutcome.Succeeded, sample, null, cancellationToken);
        if (ended is { Won: true })
        {
            telemetry.ChunkCompleted();
        }

        await progress.SetChunkAsync(lease.JobId, c => c with
        {
            Status = ChunkStatus.Completed,
            WorkerId = result.WorkerId,
            WorkerUrl = result.WorkerUrl,
            Attempts = Math.Max(c.Attempts, lease.Attempt),
            StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(lease.LeasedAtMs),
            CompletedAt = time.GetUtcNow(),
            SentMs = result.SentMs,
            Error = null,
            Normalized = result.Normalized,
        }, lease.Index, cancellationToken);
        await RaiseAsync(lease.JobId, new LeaseEvent(LeaseEventKind.Answered, lease.Index, lease.LeaseId, lease.WorkerId, lease.Attempt), cancellationToken);
        await signal.NotifyLeaseEndedAsync();
    }

    private async Task LostAsync(ChunkLease lease, LeaseEventKind kind, LossKind loss, string reason, CancellationToken cancellationToken)
    {
        await progress.SetChunkAsync(lease.JobId, c => c with
        {
            Status = ChunkStatus.Pending,
            WorkerId = lease.WorkerId,
            Attempts = Math.Max(c.Attempts, lease.Attempt),
            Error = reason,
        }, lease.Index, cancellationToken);
        await RaiseAsync(lease.JobId, new LeaseEvent(kind, lease.Index, lease.LeaseId, lease.WorkerId, lease.Attempt) { Loss = loss, Reason = reason }, cancellationToken);
        // The chunk is ready again only when the orchestration offers it again (that signal wakes a long poll).
        await signal.NotifyLeaseEndedAsync();
    }

    private async Task RaiseAsync(string jobId, LeaseEvent leaseEvent, CancellationToken cancellationToken)
    {
        if (!await events.RaiseAsync(jobId, leaseEvent, cancellationToken))
        {
            LogEventNotRaised(logger, leaseEvent.Kind, jobId, leaseEvent.Index);
        }
    }

    /// <summary>
    /// Remembers this unreadable answer for the chunk, durably; returns the earlier one when a different worker
    /// already gave the same (the same audio gives the same answer, so the chunk is at fault, not the workers).
    /// </summary>
    private async Task<UnreadableAnswer?> SameUnreadableAnswerAsync(ChunkLease lease, string reason, CancellationToken cancellationToken)
    {
        var blob = RecordingStore.UnreadableBlob(lease.JobId, lease.Index);
        var earlier = await recordings.TryLoadJsonAsync<UnreadableAnswer>(blob, cancellationToken);
        if (earlier is not null && earlier.WorkerId != lease.WorkerId && earlier.Reason == reason)
        {
            return earlier;
        }

        await recordings.SaveJsonAsync(blob, new UnreadableAnswer(lease.WorkerId, reason), cancellationToken);
        return null;
    }

    /// <summary>A worker's own words, bounded and on one line, before they are stored or logged.</summary>
    private static string Bounded(string text)
    {
        var line = new string(text.Take(300).Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        return line.Length == 0 ? "gave up without a reason" : line;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Kept the answer of enrolled worker {WorkerId} for chunk {ChunkIndex} of job {JobId} aside until a trusted worker's confirms it")]
    private static partial void LogKeptForCheck(ILogger logger, string workerId, string jobId, int chunkIndex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checked worker {WorkerId} on chunk {ChunkIndex} of job {JobId}: {Agreement:P0} word agreement; it is now {Trust}")]
    private static partial void LogChecked(ILogger logger, string workerId, string jobId, int chunkIndex, double agreement, WorkerTrust trust);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} was cancelled while chunk {ChunkIndex} was at its worker; the answer is discarded")]
    private static partial void LogDiscarded(ILogger logger, string jobId, int chunkIndex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Normalized the answer of worker {WorkerId} for chunk {ChunkIndex} of job {JobId}: {Clamped} clamped, {Reordered} reordered, {DroppedEmpty} empty dropped, {Repeated} repeated, {Untimed} untimed")]
    private static partial void LogNormalized(ILogger logger, string jobId, int chunkIndex, string workerId, int clamped, int reordered, int droppedEmpty, int repeated, int untimed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} failed chunk {ChunkIndex} of job {JobId} ({Kind}): {Reason}")]
    private static partial void LogWorkerFailed(ILogger logger, string workerId, string jobId, int chunkIndex, WorkerFailureKind kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} stopped renewing its lease on chunk {ChunkIndex} of job {JobId}; the chunk goes back to the queue")]
    private static partial void LogExpired(ILogger logger, string workerId, string jobId, int chunkIndex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Kind} event of chunk {ChunkIndex} could not be raised on job {JobId} now; the job's review will find it")]
    private static partial void LogEventNotRaised(ILogger logger, LeaseEventKind kind, string jobId, int chunkIndex);
}
