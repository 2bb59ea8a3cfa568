using Orchard.Domain.Dispatch;
using Orchard.Functions.Functions.Orchestration;

namespace Orchard.Tests.Functions.Orchestration;

public sealed class JobFlowTests
{
    private const long Now = 1_000_000;
    private const long NextReview = Now + 30_000;

    private static readonly DispatchRules Rules = DispatchRules.From(new DispatchOptions());

    /// <summary>A chunk leased at <see cref="Now"/> − 10 s whose lease was overdue 1 s ago and times out in 40 s.</summary>
    private static TrackedChunk OverdueChunk(int index = 0) =>
        new(index, 60_000, 1, false, [new TrackedLease("lease-" + index, "w-fast", 1, Now - 10_000, Now - 1_000, Now + 40_000, 0.01)]);

    private static FlowState State(params TrackedChunk[] open) => new(1_800_000, open.Length, open, 0) { NextReviewMs = NextReview };

    [Fact]
    public void Deadline_IsTheNextReview_WhenAnOverdueLeaseCannotBeHedgedBecauseChunksWait()
    {
        // Before the fix the overdue time (in the past) came back here, and the flow reviewed back to back until the queue emptied.
        var state = State(OverdueChunk(), new TrackedChunk(1, 60_000, 1, true, []));

        Assert.Equal(NextReview, JobFlow.Deadline(state, Rules));
    }

    [Fact]
    public void Deadline_IsTheOverdueTime_WhenNothingWaitsAndTheLeaseMayBeHedged()
    {
        var state = State(OverdueChunk());

        Assert.Equal(Now - 1_000, JobFlow.Deadline(state, Rules));
    }

    [Fact]
    public void Deadline_IsTheLeaseTimeout_WhenChunksWaitAndTheTimeoutComesBeforeTheReview()
    {
        var state = State(OverdueChunk(), new TrackedChunk(1, 60_000, 1, true, [])) with { NextReviewMs = Now + 60_000 };

        Assert.Equal(Now + 40_000, JobFlow.Deadline(state, Rules));
    }

    [Fact]
    public void Deadline_IgnoresOverdueLeases_WhenHedgingIsOff()
    {
        var state = State(OverdueChunk());

        Assert.Equal(NextReview, JobFlow.Deadline(state, Rules with { Hedging = false }));
    }

    [Fact]
    public void Deadline_IgnoresOverdueLeases_OnAChunkAlreadyHedged()
    {
        var state = State(OverdueChunk() with { Hedged = true });

        Assert.Equal(NextReview, JobFlow.Deadline(state, Rules));
    }
}
