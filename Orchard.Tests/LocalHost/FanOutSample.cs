using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;

namespace Orchard.Tests.LocalHost;

/// <summary>A fan-out orchestration for engine tests: N activities, each counted by a DI service, results summed.</summary>
public static class FanOutSample
{
    public static void Register(DurableTaskRegistry registry)
    {
        // A lambda, not a method group: DurableTask.Analyzers 0.2.0 crashes (AD0001) on a method group here.
        registry.AddOrchestratorFunc<int, long>(nameof(FanOut), (context, count) => FanOut(context, count));
        registry.AddActivity(nameof(CountingSquareActivity), sp => ActivatorUtilities.CreateInstance<CountingSquareActivity>(sp));
    }

    public static async Task<long> FanOut(TaskOrchestrationContext context, int count)
    {
        var tasks = Enumerable.Range(1, count)
            .Select(i => context.CallActivityAsync<long>(nameof(CountingSquareActivity), i))
            .ToList();
        var results = await Task.WhenAll(tasks);
        return results.Sum();
    }

    /// <summary>Sum of squares 1..n, what <see cref="FanOut"/> returns.</summary>
    public static long ExpectedSum(int count) => (long)count * (count + 1) * ((2L * count) + 1) / 6;
}

/// <summary>Counts activity executions; a test's own singleton, resolved by the activity factory.</summary>
public sealed class ActivityCounter
{
    int count;

    public int Count => Volatile.Read(ref count);

    public void Increment() => Interlocked.Increment(ref count);
}

public sealed class CountingSquareActivity(ActivityCounter counter) : TaskActivity<int, long>
{
    public override Task<long> RunAsync(TaskActivityContext context, int input)
    {
        counter.Increment();
        return Task.FromResult((long)input * input);
    }
}

/// <summary>One activity that runs for the given time, counting each execution as it starts: for lock renewal tests.</summary>
public static class LongActivitySample
{
    public static void Register(DurableTaskRegistry registry)
    {
        registry.AddOrchestratorFunc<int, int>(nameof(RunLong), (context, seconds) => RunLong(context, seconds));
        registry.AddActivity(nameof(LongCountingActivity), sp => ActivatorUtilities.CreateInstance<LongCountingActivity>(sp));
    }

    public static Task<int> RunLong(TaskOrchestrationContext context, int seconds) =>
        context.CallActivityAsync<int>(nameof(LongCountingActivity), seconds);
}

/// <summary>Counts at its start, so a second delivery during the first run is counted at once; answers the count at its end.</summary>
public sealed class LongCountingActivity(ActivityCounter counter) : TaskActivity<int, int>
{
    public override async Task<int> RunAsync(TaskActivityContext context, int input)
    {
        counter.Increment();
        await Task.Delay(TimeSpan.FromSeconds(input));
        return counter.Count;
    }
}
