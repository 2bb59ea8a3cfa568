using Orchard.Domain.Jobs;

namespace Orchard.Tests.Jobs;

public sealed class JobLifecycleTests
{
    [Theory]
    [InlineData(JobStatus.Created, JobStatus.Purifying)]
    [InlineData(JobStatus.Created, JobStatus.PurifierBypassed)]
    [InlineData(JobStatus.Purifying, JobStatus.PurifierCompleted)]
    [InlineData(JobStatus.PurifierCompleted, JobStatus.Splitting)]
    [InlineData(JobStatus.PurifierBypassed, JobStatus.Splitting)]
    [InlineData(JobStatus.Splitting, JobStatus.Processing)]
    [InlineData(JobStatus.Processing, JobStatus.Aggregating)]
    [InlineData(JobStatus.Aggregating, JobStatus.Completed)]
    [InlineData(JobStatus.Processing, JobStatus.Failed)]
    [InlineData(JobStatus.Created, JobStatus.Cancelled)]
    [InlineData(JobStatus.Completed, JobStatus.Completed)]
    public void CanMove_IsTrue_ForLifecycleSteps(JobStatus from, JobStatus to) => Assert.True(JobLifecycle.CanMove(from, to));

    [Theory]
    [InlineData(JobStatus.Created, JobStatus.Splitting)]
    [InlineData(JobStatus.Processing, JobStatus.Splitting)]
    [InlineData(JobStatus.Completed, JobStatus.Failed)]
    [InlineData(JobStatus.Failed, JobStatus.Processing)]
    [InlineData(JobStatus.Cancelled, JobStatus.Completed)]
    [InlineData(JobStatus.Splitting, JobStatus.Completed)]
    public void CanMove_IsFalse_ForIllegalSteps(JobStatus from, JobStatus to) => Assert.False(JobLifecycle.CanMove(from, to));

    [Fact]
    public void EnsureCanMove_NamesStatusesSnakeCase_WhenRefused()
    {
        var error = Assert.Throws<InvalidJobTransitionException>(() => JobLifecycle.EnsureCanMove("j1", JobStatus.PurifierBypassed, JobStatus.Completed));

        Assert.Equal("Job j1 cannot move from purifier_bypassed to completed.", error.Message);
    }
}
