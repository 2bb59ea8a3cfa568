using Microsoft.DurableTask;
using Orchard.Domain.Dispatch;

namespace Orchard.Functions.Functions.Orchestration;

/// <summary>A lease the orchestration knows of: when it is overdue (a hedge candidate) and when it has taken too long.</summary>
public sealed record TrackedLease(string LeaseId, string WorkerId, int Attempt, long LeasedAtMs, long OverdueAtMs, long TimeoutAtMs, double? Ratio);

/// <summary>An unfinished speech chunk: waiting in the queue, and/or leased (twice while a hedge races a straggler).</summary>
public sealed record TrackedChunk(int Index, double SentMs, int Attempt, bool Waiting, IReadOnlyList<TrackedLease> Leases)
{
    /// <summary>A hedge was offered for this chunk; one per chunk.</summary>
    public bool Hedged { get; init; }

    /// <summary>Only trusted workers may take it now: an enrolled worker's answer awaits their check.</summary>
    public bool TrustedOnly { get; init; }
}

/// <summary>The processing phase carried across continue-as-new: what is open, done and given up.</summary>
public sealed record FlowState(double DurationMs, int SpeechChunks, IReadOnlyList<TrackedChunk> Open, int Transcribed)
{
    public IReadOnlyList<ChunkFailure> Failed { get; init; } = [];

    /// <summary>Workers that refused this job (a language they do not serve): never offered it again.</summary>
    public IReadOnlyList<string> Declined { get; init; } = [];

    /// <summary>Since when nothing has been leased while chunks wait (Unix ms), for the no-worker deadline.</summary>
    public long? WaitingSinceMs { get; init; }

    public long NextReviewMs { get; init; }

    /// <summary>Set when processing stopped before every chunk was answered (no worker can serve the job, or none came).</summary>
    public string? Stopped { get; init; }
}

/// <summary>
/// The processing phase of a job, inside its orchestration: chunks flow through the ready queue with no batch
/// boundary; every change arrives as a <see cref="LeaseEvent"/> (external event) raced against a durable timer for the
/// next overdue lease, the no-worker deadline or the periodic review. No activity waits on a device. Deterministic:
/// times come from the context, decisions from the pure <see cref="DispatchPolicy"/>.
/// </summary>
public static partial class JobFlow
{
    /// <summary>Runs until every chunk is answered or given up, or processing stops; or continues as new (returns null).</summary>
    public static async Task<FlowState?> RunAsync(TaskOrchestrationContext context, JobRequest request, FlowState state)
    {
        var rules = request.Rules;
        var pending = context.WaitForExternalEvent<LeaseEvent>(LeaseEvent.Name);
        var handled = 0;
        while (state.Open.Count > 0 && state.Stopped is null)
        {
            if (handled >= rules.EventsPerGeneration)
            {
                // A fresh history keeps replay cheap on a 10-hour recording; events not yet handled are carried over.
                context.ContinueAsNew(request with { Flow = state }, preserveUnprocessedEvents: true);
                return null;
            }

            var now = NowMs(context);
            var deadline = Deadline(state, rules);
            if (deadline <= now)
            {
                state = await ReviewAsync(context, request, state, now);
                continue;
            }

            try
            {
                using var cancel = new CancellationTokenSource();
                var timer = context.CreateTimer(DateTimeOffset.FromUnixTimeMilliseconds(deadline).UtcDateTime, cancel.Token);
                if (await Task.WhenAny(pending, timer) == pending)
                {
                    cancel.Cancel();
                    var leaseEvent = await pending;
                    pending = context.WaitForExternalEvent<LeaseEvent>(LeaseEvent.Name);
                    handled++;
                    state = await ApplyAsync(context, request, state, leaseEvent);
                }
                else
                {
                    state = await ReviewAsync(context, request, state, NowMs(context));
                }
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidCastException)
            {
                // A result that is not the step's own: the engine delivered a message a crashed episode had sent for a
                // task id that the retried episode gave another step (DurableTask.AzureStorage sends before it saves).
                // A fresh history leaves such orphans behind; the review right away restores what the queue holds.
                LogOrphanResult(context.CreateReplaySafeLogger(nameof(JobFlow)), request.JobId, ex.GetType().Name);
                context.ContinueAsNew(request with { Flow = state with { NextReviewMs = 0 } }, preserveUnprocessedEvents: true);
                return null;
            }
        }

        return state;
    }

    /// <summary>The first chunks' state after preparation: every speech chunk was offered by the preparation itself.</summary>
    public static FlowState Start(PreparedJob prepared, long nowMs, DispatchRules rules, bool trustedOnly) =>
        new(prepared.DurationMs, prepared.SpeechChunks.Count, prepared.SpeechChunks.Select(c => new TrackedChunk(c.Index, c.SentMs, 1, true, []) { TrustedOnly = trustedOnly }).ToArray(), 0)
        {
            WaitingSinceMs = nowMs,
            NextReviewMs = nowMs + (long)rules.ReviewInterval.TotalMilliseconds,
        };

    private static long NowMs(TaskOrchestrationContext context) => new DateTimeOffset(context.CurrentUtcDateTime, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>
    /// The next time something must be looked at without an event: a review, an overdue lease that could be hedged, a
    /// lease's timeout, the no-worker deadline.
    /// </summary>
    public static long Deadline(FlowState state, DispatchRules rules)
    {
        var deadline = state.NextReviewMs;

        // An overdue lease counts only while it could be hedged: one that cannot (chunks wait, say) would leave a deadline
        // in the past and turn the loop into back-to-back reviews. The event that empties the queue brings it back.
        var waiting = state.Open.Any(c => c.Waiting);
        foreach (var chunk in state.Open)
        {
            var hedgeable = !chunk.Hedged && DispatchPolicy.MayHedge(waiting, chunk.Leases.Count, chunk.Attempt, rules);
            foreach (var lease in chunk.Leases)
            {
                deadline = Math.Min(deadline, Math.Min(hedgeable ? lease.OverdueAtMs : long.MaxValue, lease.TimeoutAtMs));
            }
        }

        if (state.WaitingSinceMs is { } since)
        {
            deadline = Math.Min(deadline, since + (long)rules.NoWorkerDeadline.TotalMilliseconds);
        }

        return deadline;
    }

    private static async Task<FlowState> ApplyAsync(TaskOrchestrationContext context, JobRequest request, FlowState state, LeaseEvent e)
    {
        var rules = request.Rules;
        var chunk = state.Open.FirstOrDefault(c => c.Index == e.Index);
        if (chunk is null)
        {
            return state; // answered or given up already: a late or repeated event
        }

        switch (e.Kind)
        {
            case LeaseEventKind.Leased:
                if (chunk.Leases.Any(l => l.LeaseId == e.LeaseId))
                {
                    return state;
                }

                var tracked = new TrackedLease(e.LeaseId, e.WorkerId, e.Attempt, e.LeasedAtMs, e.OverdueAtMs,
                    e.LeasedAtMs + (long)DispatchPolicy.Timeout(chunk.SentMs, e.Ratio, rules).TotalMilliseconds, e.Ratio);
                return Replace(state, chunk with { Waiting = false, Attempt = Math.Max(chunk.Attempt, e.Attempt), Leases = [.. chunk.Leases, tracked] }) with { WaitingSinceMs = null };
            case LeaseEventKind.Answered when e.Provisional:
                // An enrolled worker's answer counts only once a trusted worker's agrees: the chunk goes to trusted workers.
                var checkedChunk = chunk with { Leases = chunk.Leases.Where(l => l.LeaseId != e.LeaseId).ToArray(), TrustedOnly = true };
                return checkedChunk.Leases.Count > 0 || checkedChunk.Waiting
                    ? Replace(state, checkedChunk)
                    : await OfferAsync(context, request, state, [checkedChunk with { Waiting = true }]);
            case LeaseEventKind.Answered:
                return Close(state, chunk, null);
            default:
                var rest = chunk with { Leases = chunk.Leases.Where(l => l.LeaseId != e.LeaseId).ToArray() };
                if (rest.Leases.Count > 0 || rest.Waiting)
                {
                    return Replace(state, rest); // a hedge still runs, or it is offered again already
                }

                var declined = e.Kind == LeaseEventKind.Declined ? [.. state.Declined.Append(e.WorkerId).Distinct()] : state.Declined;
                state = state with { Declined = declined };
                return await LostAsync(context, request, state, rest, e.Attempt, e.Loss, e.Reason ?? "the worker gave up");
        }
    }

    /// <summary>A chunk with no live lease and not waiting: offered again, or given up, as the policy says.</summary>
    private static async Task<FlowState> LostAsync(TaskOrchestrationContext context, JobRequest request, FlowState state, TrackedChunk chunk, int attempt, LossKind loss, string reason)
    {
        var verdict = DispatchPolicy.AfterLoss(attempt, loss, request.Rules);
        switch (verdict)
        {
            case ChunkVerdict.GiveUp:
                var why = loss == LossKind.ChunkAtFault ? reason : $"failed {attempt} times; last: {reason}";
                return Close(state, chunk, ChunkFailure.Of(chunk.Index, why));
            case ChunkVerdict.RetryFree when loss == LossKind.Declined:
                // Not an attempt: the chunk waits for a worker that has not refused this job, if the fleet has one.
                var refusal = await context.CallActivityAsync<string?>(nameof(DispatchActivities.CheckFleet), new FleetCheck(request.JobId, request.Language, state.Declined), JobOrchestrator.StoreRetry);
                if (refusal is not null)
                {
                    return state with { Stopped = refusal };
                }

                return await OfferAsync(context, request, state, [chunk with { Attempt = attempt, Waiting = true, Hedged = false }]);
            default:
                var next = verdict == ChunkVerdict.Retry ? attempt + 1 : attempt;
                return await OfferAsync(context, request, state, [chunk with { Attempt = next, Waiting = true, Hedged = false }]);
        }
    }

    private static async Task<FlowState> OfferAsync(TaskOrchestrationContext context, JobRequest request, FlowState state, IReadOnlyList<TrackedChunk> chunks, IReadOnlyList<OfferSpec>? hedges = null)
    {
        var specs = chunks.Select(c => new OfferSpec(c.Index, c.SentMs, c.Attempt) { Exclude = state.Declined, TrustedOnly = c.TrustedOnly })
            .Concat(hedges ?? []).ToArray();
        var answered = await context.CallActivityAsync<int[]>(nameof(DispatchActivities.OfferChunks), new OfferRequest(request.JobId, request.Language, specs), JobOrchestrator.StoreRetry);
        foreach (var chunk in chunks)
        {
            state = answered.Contains(chunk.Index) ? Close(state, chunk, null) : Replace(state, chunk);
        }

        if (state.Open.All(c => c.Leases.Count == 0))
        {
            state = state with { WaitingSinceMs = state.WaitingSinceMs ?? NowMs(context) };
        }

        return state;
    }

    /// <summary>
    /// The timer fired: compare what the queue holds with what the events said (an event lost with a crashed instance,
    /// a Redis emptied), revoke leases held past their timeout, hedge overdue ones, and stop when no worker came in time.
    /// </summary>
    private static async Task<FlowState> ReviewAsync(TaskOrchestrationContext context, JobRequest request, FlowState state, long now)
    {
        var rules = request.Rules;
        var reviews = await context.CallActivityAsync<ChunkReview[]>(nameof(DispatchActivities.ReviewChunks), new ReviewRequest(request.JobId, state.Open.Select(c => c.Index).ToArray()), JobOrchestrator.StoreRetry);
        state = state with { NextReviewMs = now + (long)rules.ReviewInterval.TotalMilliseconds };
        var reoffer = new List<TrackedChunk>();
        var revoke = new List<string>();
        foreach (var review in reviews)
        {
            if (state.Open.FirstOrDefault(c => c.Index == review.Index) is not { } before)
            {
                continue;
            }

            var chunk = before;

            if (review.Answered)
            {
                state = Close(state, chunk, null);
                continue;
            }

            // The queue's live leases are the truth; one the events never told of is adopted at the unmeasured pace.
            var live = review.Leases.Select(l => chunk.Leases.FirstOrDefault(t => t.LeaseId == l.LeaseId)
                ?? new TrackedLease(l.LeaseId, l.WorkerId, l.Attempt, l.LeasedAtMs, DispatchPolicy.OverdueAtMs(l.LeasedAtMs, l.SentMs, null, rules),
                    l.LeasedAtMs + (long)DispatchPolicy.Timeout(l.SentMs, null, rules).TotalMilliseconds, null)).ToArray();
            chunk = chunk with { Leases = live, Waiting = review.Ready, Attempt = Math.Max(chunk.Attempt, live.Select(l => l.Attempt).DefaultIfEmpty(0).Max()) };
            if (live.Length == 0 && !review.Ready)
            {
                if (before.Leases.Count == 0)
                {
                    reoffer.Add(chunk with { Waiting = true }); // its offer vanished (Redis emptied): the same attempt again
                    continue;
                }

                state = Replace(state, chunk);
                state = await LostAsync(context, request, state, chunk, chunk.Attempt, LossKind.Failed, "its worker went silent");
                continue;
            }

            revoke.AddRange(live.Where(l => l.TimeoutAtMs <= now).Select(l => l.LeaseId));
            state = Replace(state, chunk);
        }

        var hedges = new List<OfferSpec>();
        var waiting = state.Open.Any(c => c.Waiting);
        foreach (var chunk in state.Open.Where(c => !c.Hedged && c.Leases.Count == 1 && c.Leases[0].OverdueAtMs <= now && c.Leases[0].TimeoutAtMs > now).ToArray())
        {
            if (DispatchPolicy.MayHedge(waiting || reoffer.Count > 0, chunk.Leases.Count, chunk.Attempt, rules))
            {
                var straggler = chunk.Leases[0];
                hedges.Add(new OfferSpec(chunk.Index, chunk.SentMs, chunk.Attempt + 1)
                {
                    Exclude = [.. state.Declined, straggler.WorkerId],
                    MaxRatio = DispatchPolicy.HedgeMaxRatio(chunk.SentMs, straggler.Ratio, rules),
                    Hedge = true,
                    TrustedOnly = chunk.TrustedOnly,
                });
                state = Replace(state, chunk with { Hedged = true, Attempt = chunk.Attempt + 1 });
            }
        }

        if (reoffer.Count > 0 || hedges.Count > 0)
        {
            state = await OfferAsync(context, request, state, reoffer, hedges);
        }

        if (revoke.Count > 0)
        {
            await context.CallActivityAsync<bool>(nameof(DispatchActivities.RevokeLeases), new RevokeRequest(request.JobId, revoke, "took longer than its timeout"), JobOrchestrator.StoreRetry);
        }

        if (state.Open.Count > 0 && state.Open.All(c => c.Leases.Count == 0) && state.WaitingSinceMs is { } since
            && now - since >= rules.NoWorkerDeadline.TotalMilliseconds)
        {
            // Nothing can progress: stop, keeping what was transcribed; the open chunks are named in the outcome.
            state = state with { Stopped = $"No worker became free within {rules.NoWorkerDeadline.TotalMinutes:0.#} minutes." };
        }

        return state;
    }

    private static FlowState Replace(FlowState state, TrackedChunk chunk) =>
        state with { Open = state.Open.Select(c => c.Index == chunk.Index ? chunk : c).ToArray() };

    private static FlowState Close(FlowState state, TrackedChunk chunk, ChunkFailure? failure) => state with
    {
        Open = state.Open.Where(c => c.Index != chunk.Index).ToArray(),
        Transcribed = failure is null ? state.Transcribed + 1 : state.Transcribed,
        Failed = failure is null ? state.Failed : [.. state.Failed, failure],
    };

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Job {JobId} was handed a result that is not its step's ({Type}), left by a crashed episode; continuing with a fresh history")]
    private static partial void LogOrphanResult(Microsoft.Extensions.Logging.ILogger logger, string jobId, string type);
}
