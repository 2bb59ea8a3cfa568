using System.Diagnostics;
using System.Diagnostics.Metrics;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Workers;

namespace Orchard.Domain.Telemetry;

/// <summary>
/// Orchard's traces and metrics, in one place: the <see cref="ActivitySource"/> every Orchard span starts from, the
/// meter with its instruments, and the tag names. Spans are started in activities and HTTP triggers only, never in an
/// orchestrator (it replays); each carries the job id, so one query finds a job's whole story.
/// </summary>
public sealed class OrchardTelemetry
{
    public const string SourceName = "Orchard";

    public const string MeterName = "Orchard";

    public const string JobIdTag = "orchard.job_id";

    public const string ChunkIndexTag = "orchard.chunk_index";

    public const string WorkerIdTag = "orchard.worker_id";

    public const string FailureReasonTag = "orchard.failure_reason";

    public const string ChunkStateTag = "orchard.chunk_state";

    public const string OutcomeTag = "orchard.outcome";

    /// <summary>The span around one <c>POST /transcribe</c> to a worker (the HTTP client's own span is its child).</summary>
    public const string WorkerRequestSpan = "orchard.worker.transcribe";

    /// <summary>The span of a submission, in the HTTP trigger, around storing the recording and starting its orchestration.</summary>
    public const string SubmitSpan = "orchard.job.submit";

    /// <summary>A delivery whose claim had lapsed (a re-run after a crash) and was taken again: a lease failure that recovered.</summary>
    public const string LeaseLapsed = "lease_lapsed";

    /// <summary>A delivery whose claim had lapsed and whose worker was taken by then: the chunk went back to the queue.</summary>
    public const string ClaimLost = "claim_lost";

    public static readonly ActivitySource Source = new(SourceName);

    private const string HttpClientSource = "System.Net.Http";

    // Speed ratios: a GPU box answers at 0.01–0.05 × real time, a phone at 0.5–3.
    private static readonly double[] SpeedBuckets = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

    private readonly Counter<long> chunksCompleted;
    private readonly Histogram<double> workerSpeed;
    private readonly Counter<long> deliveryFailures;

    public OrchardTelemetry(IMeterFactory meters, QueueDepthProbe queue)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(queue);
        var meter = meters.Create(MeterName);
        chunksCompleted = meter.CreateCounter<long>(
            "orchard.chunks.completed", "{chunk}", "Chunk answers stored; its rate is chunks transcribed per second.");
        workerSpeed = meter.CreateHistogram(
            "orchard.worker.speed_ratio", "1", "A worker's processing time over the audio it was sent, per answer (under 1: faster than real time).",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SpeedBuckets });
        deliveryFailures = meter.CreateCounter<long>(
            "orchard.delivery.failures", "{failure}", "Deliveries that failed or lost their lease, by reason.");
        meter.CreateObservableGauge(
            "orchard.chunks.queue_depth", queue.Observe, "{chunk}", "Chunks of jobs being processed that are waiting for a worker or at one.");
    }

    /// <summary>Starts a span for a job (and a chunk, a worker); null when nothing listens.</summary>
    public static Activity? StartSpan(string name, string jobId, int? chunkIndex = null, string? workerId = null, ActivityKind kind = ActivityKind.Internal)
    {
        var span = Source.StartActivity(name, kind);
        if (span is not null)
        {
            span.SetTag(JobIdTag, jobId);
            if (chunkIndex is { } index)
            {
                span.SetTag(ChunkIndexTag, index);
            }

            if (workerId is not null)
            {
                span.SetTag(WorkerIdTag, workerId);
            }
        }

        return span;
    }

    /// <summary>Runs <paramref name="run"/> in a span for the job; an exception marks the span failed and goes on.</summary>
    public static async Task<T> TraceAsync<T>(string name, string jobId, int? chunkIndex, Func<Task<T>> run, string? workerId = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        using var span = StartSpan(name, jobId, chunkIndex, workerId);
        try
        {
            return await run();
        }
        catch (Exception ex) when (Failed(span, ex))
        {
            throw; // not reached: the filter only records
        }
    }

    /// <summary>
    /// Marks a span failed with the exception; false, so it can sit in an exception filter that does not catch.
    /// </summary>
    public static bool Failed(Activity? span, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        span?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        span?.AddException(exception);
        return false;
    }

    /// <summary>
    /// True for gRPC: the Durable Task sidecar's and the Functions host's own plumbing (a long poll per worker, a call
    /// per work item), which would bury a job's spans; the durable spans already tell what those calls did.
    /// </summary>
    public static bool IsGrpc(string? contentType) =>
        contentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// Whether an outgoing HTTP request gets a span: one made within a span (a job's activity, a request), not gRPC.
    /// A request outside any span is background polling, such as the local host's Durable Task backend reading its
    /// queues every 50 ms, which would drown a job's spans. The current span when the instrumentation asks is the
    /// request's parent, or (depending on the runtime's path) the request's own span, whose parent is then checked.
    /// </summary>
    public static bool IsTracedRequest(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var current = Activity.Current;
        var withinSpan = current is not null && (current.Source.Name != HttpClientSource || current.ParentSpanId != default);
        return withinSpan && !IsGrpc(request.Content?.Headers.ContentType?.MediaType);
    }

    /// <summary>A chunk's answer was stored: it counts toward chunks per second.</summary>
    public void ChunkCompleted() => chunksCompleted.Add(1);

    /// <summary>A worker answered: its speed ratio, as its speed history keeps it.</summary>
    public void WorkerAnswered(string workerId, PerformanceSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.AudioSeconds > 0)
        {
            workerSpeed.Record(sample.SpeedRatio, new KeyValuePair<string, object?>(WorkerIdTag, workerId));
        }
    }

    /// <summary>A delivery failed (by the worker's failure kind) or lost its lease (<see cref="LeaseLapsed"/>, <see cref="ClaimLost"/>).</summary>
    public void DeliveryFailed(string reason) =>
        deliveryFailures.Add(1, new KeyValuePair<string, object?>(FailureReasonTag, reason));

    /// <summary>The reason tag of a worker's failure.</summary>
    public static string ReasonOf(WorkerFailureKind kind) => kind switch
    {
        WorkerFailureKind.Unreachable => "unreachable",
        WorkerFailureKind.Timeout => "timeout",
        WorkerFailureKind.ServerError => "server_error",
        WorkerFailureKind.InvalidAnswer => "invalid_answer",
        WorkerFailureKind.Declined => "declined",
        _ => kind.ToString(),
    };
}
