using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Orchard.Tests.LocalHost;

/// <summary>HTTP functions the router tests map from a crafted functions.metadata.</summary>
public sealed class SampleHttpFunctions(SampleGreeting greeting)
{
    public const string SecretDetail = "secret-detail-that-must-not-leak";

    [Function(nameof(GetItem))]
    public IActionResult GetItem([HttpTrigger(AuthorizationLevel.Function, "get", Route = "items/{id}")] HttpRequest request, int id) =>
        new OkObjectResult(new SampleItem(id, greeting.Text));

    [Function(nameof(Echo))]
    public static Task<IResult> Echo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "echo/{name}")] HttpRequest request, string name, CancellationToken cancellationToken) =>
        Task.FromResult(Results.Ok(new SampleItem(0, name)));

    [Function(nameof(Fail))]
    public static IActionResult Fail([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "fail")] HttpRequest request) =>
        throw new InvalidOperationException(SecretDetail);

    [Function(nameof(StartFanOut))]
    public static async Task<IActionResult> StartFanOut(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "fanout/{count:int}")] HttpRequest request,
        int count,
        [DurableClient] DurableTaskClient client)
    {
        var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(FanOutSample.FanOut), count, request.HttpContext.RequestAborted);
        return new AcceptedResult((string?)null, new SampleInstance(id));
    }
}

public sealed record SampleItem(int Id, string Text);

public sealed record SampleInstance(string Id);

public sealed class SampleGreeting
{
    public string Text { get; init; } = "hello";
}

/// <summary>Timer functions the runner tests schedule; they report to a DI-provided probe.</summary>
public sealed class SampleTimerFunctions(TimerProbe probe)
{
    [Function(nameof(Tick))]
    public Task Tick([TimerTrigger("%TickSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        probe.RecordAsync(timer, cancellationToken);

    /// <summary>Its schedule setting is never set: the runner must leave it alone.</summary>
    [Function(nameof(Unscheduled))]
    public Task Unscheduled([TimerTrigger("%UnsetSchedule%")] TimerInfo timer)
    {
        probe.RecordUnexpected();
        return Task.CompletedTask;
    }
}

public sealed class TimerProbe
{
    readonly System.Threading.Channels.Channel<TimerInfo> runs = System.Threading.Channels.Channel.CreateUnbounded<TimerInfo>();
    int calls;

    /// <summary>When set, the first call throws, to show the schedule survives a failing run.</summary>
    public bool FailFirstCall { get; init; }

    public System.Threading.Channels.ChannelReader<TimerInfo> Runs => runs.Reader;

    int unexpected;

    /// <summary>Runs of a function that should never have run.</summary>
    public int UnexpectedRuns => Volatile.Read(ref unexpected);

    public void RecordUnexpected() => Interlocked.Increment(ref unexpected);

    public async Task RecordAsync(TimerInfo timer, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref calls) == 1 && FailFirstCall)
        {
            throw new InvalidOperationException("first run fails on purpose");
        }

        await runs.Writer.WriteAsync(timer, cancellationToken);
    }
}
