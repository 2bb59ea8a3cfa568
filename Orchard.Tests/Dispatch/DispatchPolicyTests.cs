using Orchard.Domain.Dispatch;
using Orchard.Domain.Workers;

namespace Orchard.Tests.Dispatch;

public sealed class DispatchPolicyTests
{
    private static readonly DispatchRules Rules = DispatchRules.From(new DispatchOptions());

    [Theory]
    [InlineData(null, 0.01, LeasePick.Shortest)]
    [InlineData(0.01, 0.01, LeasePick.Longest)]
    [InlineData(0.02, 0.01, LeasePick.Longest)]
    [InlineData(0.04, 0.01, LeasePick.Shortest)]
    [InlineData(0.5, null, LeasePick.Longest)]
    public void PickFor_GivesTheLongestToFastWorkers_AndTheShortestToNewOrMuchSlowerOnes(double? ratio, double? fastest, LeasePick expected) =>
        Assert.Equal(expected, DispatchPolicy.PickFor(ratio, fastest, Rules));

    [Fact]
    public void OverdueAtMs_IsTheFloorPlusTwiceTheExpectedTime_AtTheAssumedPaceWhenUnmeasured()
    {
        Assert.Equal(1_000 + 5_000 + 1_200, DispatchPolicy.OverdueAtMs(1_000, 60_000, 0.01, Rules));
        Assert.Equal(1_000 + 5_000 + 240_000, DispatchPolicy.OverdueAtMs(1_000, 60_000, null, Rules));
    }

    [Fact]
    public void Timeout_IsFloorPlusFourTimesExpected_CappedAtTenMinutes()
    {
        Assert.Equal(TimeSpan.FromSeconds(20 + 2.4), DispatchPolicy.Timeout(60_000, 0.01, Rules));
        Assert.Equal(TimeSpan.FromMinutes(10), DispatchPolicy.Timeout(180_000, 5, Rules));
    }

    [Theory]
    [InlineData(1, LossKind.Failed, ChunkVerdict.Retry)]
    [InlineData(5, LossKind.Failed, ChunkVerdict.GiveUp)]
    [InlineData(5, LossKind.Declined, ChunkVerdict.RetryFree)]
    [InlineData(1, LossKind.ChunkAtFault, ChunkVerdict.GiveUp)]
    public void AfterLoss_SpendsAttemptsOnlyOnFailures_AndGivesUpAtTheLimitOrWhenTheChunkIsAtFault(int attempt, LossKind loss, ChunkVerdict expected) =>
        Assert.Equal(expected, DispatchPolicy.AfterLoss(attempt, loss, Rules));

    [Fact]
    public void MayHedge_OnlyWhenNothingElseWaits_OnceAndWithinTheAttempts()
    {
        Assert.True(DispatchPolicy.MayHedge(jobHasWaitingChunks: false, liveLeases: 1, attempt: 1, Rules));
        Assert.False(DispatchPolicy.MayHedge(jobHasWaitingChunks: true, liveLeases: 1, attempt: 1, Rules));
        Assert.False(DispatchPolicy.MayHedge(jobHasWaitingChunks: false, liveLeases: 2, attempt: 1, Rules));
        Assert.False(DispatchPolicy.MayHedge(jobHasWaitingChunks: false, liveLeases: 1, attempt: 5, Rules));
        Assert.False(DispatchPolicy.MayHedge(false, 1, 1, Rules with { Hedging = false }));
    }

    [Fact]
    public void HedgeMaxRatio_AdmitsAWorkerExpectedToFinishBeforeTheStragglerWouldIfMerelySlow()
    {
        // A 60 s chunk on a 0.01 worker: overdue at 5 s + 1.2 s; a hedge must finish 60 s of audio within that again.
        var max = DispatchPolicy.HedgeMaxRatio(60_000, 0.01, Rules);

        Assert.Equal(0.02 + (5.0 / 60), max, 6);
        Assert.True(0.04 < max);
        Assert.True(0.5 > max);
    }
}
