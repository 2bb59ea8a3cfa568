using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Domain.Telemetry;
using Orchard.Functions.Functions.Orchestration;
using Orchard.LocalHost;
using Orchard.Tests.Audio;
using Orchard.Tests.Functions.Orchestration;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Telemetry;

/// <summary>
/// Alone, after the parallel tests: ASP.NET Core and HTTP client instrumentation listen process-wide, and with other
/// hosts' tracer providers starting and stopping beside it, a request's spans went unrecorded (seen in the full run).
/// </summary>
[CollectionDefinition(nameof(OrchardTelemetryTests), DisableParallelization = true)]
public sealed class TelemetryCollection;

[Collection(nameof(OrchardTelemetryTests))]
public sealed class OrchardTelemetryTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Job_TracesSubmissionActivitiesAndWorkerRequestsWithTheJobId_AndCountsChunksAndWorkerSpeed()
    {
        var spans = new LockedCollection<Activity>();
        var metrics = new LockedCollection<Metric>();
        await using var host = await ApiHost.StartAsync(services: s => s
            .ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans))
            .ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(metrics)));
        using var measured = new MeasurementRecorder(host.Services.GetRequiredService<IMeterFactory>());
        await using var worker = await FakeWorker.StartAsync(0.01);
        await host.Workers.AddAsync(worker.Url);
        var workerId = Assert.Single(await host.Workers.ListAsync()).Id;
        var (path, _) = OrchestrationHarness.Recording(dir, 40, seed: 23);

        var jobId = await SubmitAsync(host, path);
        var job = await host.PollUntilFinishedAsync(jobId);
        var completed = (await host.Jobs.GetDocumentAsync(jobId))!.Chunks.Count(c => c.Status == ChunkStatus.Completed);
        await Poll.UntilAsync(() => OfJob(spans, jobId).Count(s => s.DisplayName == OrchardTelemetry.WorkerRequestSpan) >= completed
            && OfJob(spans, jobId).Any(s => s.DisplayName == nameof(JobActivities.BuildTranscript)), "the job's activity spans");

        Assert.Equal("completed", (string?)job["status"]);
        Assert.True(completed >= 2, $"expected several chunks, got {completed}");
        var all = spans.Snapshot();
        var mine = OfJob(spans, jobId);

        // The HTTP submission: Orchard's span, inside the local host's request span.
        var submit = Assert.Single(mine, s => s.DisplayName == OrchardTelemetry.SubmitSpan);
        var request = Assert.Single(all, s => s.SpanId == submit.ParentSpanId);
        Assert.Equal(LocalHostTelemetry.AspNetCoreSource, request.Source.Name);
        Assert.Equal(ActivityKind.Server, request.Kind);

        // The Durable Task client and worker carry the trace: the orchestration's activities are one trace, rooted at
        // the request. Pushes to a worker start in the push pump (no request caused them): they carry the job's id.
        var workerRequests = mine.Where(s => s.DisplayName == OrchardTelemetry.WorkerRequestSpan).ToList();
        Assert.All(mine.Where(s => s.Source.Name == OrchardTelemetry.SourceName && s.DisplayName != OrchardTelemetry.WorkerRequestSpan), s => Assert.Equal(submit.TraceId, s.TraceId));
        foreach (var name in new[] { nameof(JobActivities.PrepareAudio), nameof(JobActivities.BuildTranscript) })
        {
            Assert.Contains(mine, s => s.DisplayName == name);
        }

        // Each request to the worker: one span per chunk with its index and worker, whose trace reached the worker as traceparent.
        Assert.Equal(worker.Requests, workerRequests.Count);
        Assert.Equal(completed, workerRequests.Select(s => s.GetTagItem(OrchardTelemetry.ChunkIndexTag)).Distinct().Count());
        Assert.All(workerRequests, s => Assert.Equal(workerId, s.GetTagItem(OrchardTelemetry.WorkerIdTag)));
        Assert.Equal(worker.Requests, worker.TraceParents.Count);
        Assert.All(worker.TraceParents, header =>
        {
            var parts = header.Split('-');
            Assert.Equal(4, parts.Length);
            var sender = Assert.Single(all, s => s.SpanId.ToHexString() == parts[2]);
            Assert.Equal(parts[1], sender.TraceId.ToHexString());
            Assert.Equal(ActivityKind.Client, sender.Kind);
            Assert.Contains(workerRequests, r => r.SpanId == sender.ParentSpanId);
        });

        // One count per stored answer and one speed ratio per answer, from this host's meter.
        Assert.Equal(completed, measured.Of("orchard.chunks.completed").Sum(m => m.Value));
        var speeds = measured.Of("orchard.worker.speed_ratio");
        Assert.Equal(worker.Answered, speeds.Count);
        Assert.All(speeds, m =>
        {
            Assert.True(m.Value > 0, $"speed ratio {m.Value}");
            Assert.Equal(workerId, m.Tags[OrchardTelemetry.WorkerIdTag]);
        });

        // And the SDK exports them (its pipeline sees every host's meter of that name, so at least this job's).
        host.Services.GetRequiredService<MeterProvider>().ForceFlush();
        var exported = metrics.Snapshot();
        Assert.True(Total(exported, "orchard.chunks.completed") >= completed);
        Assert.Contains(exported, m => m.Name == "orchard.worker.speed_ratio");
    }

    [Fact]
    public async Task Job_CountsDeliveryFailuresByReason_AndMarksTheWorkerRequestFailed_WhenAWorkerAnswers500()
    {
        var spans = new LockedCollection<Activity>();
        await using var host = await ApiHost.StartAsync(services: s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans)));
        using var measured = new MeasurementRecorder(host.Services.GetRequiredService<IMeterFactory>());
        await using var broken = await FakeWorker.StartAsync(0.01, FakeWorkerBehavior.Fail500);
        await using var good = await FakeWorker.StartAsync(0.02);
        await host.Workers.AddAsync(broken.Url);
        await host.Workers.AddAsync(good.Url);
        var (path, _) = OrchestrationHarness.Recording(dir, 30, seed: 31);
        var jobId = await SubmitAsync(host, path);

        var job = await host.PollUntilFinishedAsync(jobId);

        Assert.Equal("completed", (string?)job["status"]);
        Assert.True(broken.Requests >= 1, "the broken worker was never asked");
        var failures = measured.Of("orchard.delivery.failures");
        Assert.Equal(broken.Requests, failures.Count(f => f.Tags[OrchardTelemetry.FailureReasonTag] as string == "server_error"));
        await Poll.UntilAsync(() => OfJob(spans, jobId).Count(s => s.DisplayName == OrchardTelemetry.WorkerRequestSpan && s.Status == ActivityStatusCode.Error) >= broken.Requests, "the failed worker requests' spans");
    }

    [Fact]
    public async Task QueueDepth_CountsChunksWaitingThenAtAWorker_AndClaimsFindingNoWorkerAreNotErrors()
    {
        var spans = new LockedCollection<Activity>();
        await using var host = await ApiHost.StartAsync(
            new Dictionary<string, string?> { ["Telemetry:QueueDepthRefresh"] = "00:00:00.100" },
            services: s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans)));
        using var measured = new MeasurementRecorder(host.Services.GetRequiredService<IMeterFactory>());
        _ = host.Services.GetRequiredService<OrchardTelemetry>();
        var (path, _) = OrchestrationHarness.Recording(dir, 40, seed: 29);
        var jobId = await SubmitAsync(host, path);
        await Poll.UntilAsync(() => host.Jobs.GetAsync(jobId).GetAwaiter().GetResult()?.Status == JobStatus.Processing, "the job to be split", attempts: 600);
        var speech = (await host.Services.GetRequiredService<JobProgress>().ManifestAsync(jobId, default)).Chunks.Count(c => !c.IsSilent);

        // No worker: every speech chunk waits in the queue, and nothing fails.
        await Poll.UntilAsync(() => Depth(measured) == (speech, 0), $"{speech} chunks waiting, none at a worker", attempts: 600);
        Assert.All(OfJob(spans, jobId), s => Assert.NotEqual(ActivityStatusCode.Error, s.Status));

        // A worker working at real time holds one chunk for seconds.
        await using var slow = await FakeWorker.StartAsync(speedRatio: 1);
        await host.Workers.AddAsync(slow.Url);
        await Poll.UntilAsync(() => Depth(measured) == (speech - 1, 1), $"{speech - 1} chunks waiting, one at the worker", attempts: 600);
        await slow.StopAsync();
    }

    /// <summary>The gauge's latest values; each reading asks for a fresh one, which a later reading reports.</summary>
    private static (long Waiting, long InFlight) Depth(MeasurementRecorder measured)
    {
        measured.Observe();
        var values = measured.Of("orchard.chunks.queue_depth");
        long Last(string state) => values.Where(v => v.Tags[OrchardTelemetry.ChunkStateTag] as string == state).Select(v => (long)v.Value).DefaultIfEmpty(-1).Last();
        return (Last("waiting"), Last("in_flight"));
    }

    /// <summary>
    /// Submits the recording over HTTP as an outside client does, sending no trace context: the test's own HTTP
    /// client span would be another host's to sample (tests share the process), and its "not sampled" would carry over.
    /// </summary>
    private static async Task<string> SubmitAsync(ApiHost host, string path)
    {
        using var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator() })
        {
            BaseAddress = host.Client.BaseAddress,
        };
        using var form = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(path)), "file", "talk.wav" } };
        using var submitted = await client.PostAsync(new Uri("jobs?purify=false", UriKind.Relative), form);
        return (string)(await ApiHost.ReadAsync(submitted)).Json!["job_id"]!;
    }

    private static List<Activity> OfJob(LockedCollection<Activity> spans, string jobId) =>
        [.. spans.Snapshot().Where(s => s.GetTagItem(OrchardTelemetry.JobIdTag) as string == jobId)];

    // Cumulative: the latest point holds the total.
    private static long Total(IEnumerable<Metric> metrics, string name)
    {
        long total = 0;
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                total = Math.Max(total, point.GetSumLong());
            }
        }

        return total;
    }
}
