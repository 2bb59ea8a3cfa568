using Microsoft.Extensions.Logging;

namespace Orchard.Worker;

/// <summary>Every log line the worker writes, in one place so operators can grep for them.</summary>
internal static partial class WorkerLog
{
    [LoggerMessage(1, LogLevel.Information, "[Worker] Engine {Engine}, model {Model}, listening on {Urls}")]
    public static partial void Started(ILogger logger, string engine, string model, string urls);

    [LoggerMessage(2, LogLevel.Information, "[Worker] Transcribed {AudioSeconds:F1} s of audio in {ElapsedMs} ms: {Segments} segments (request {RequestId})")]
    public static partial void Transcribed(ILogger logger, double audioSeconds, long elapsedMs, int segments, string requestId);

    [LoggerMessage(3, LogLevel.Error, "[Worker] Transcription failed (request {RequestId}): {Reason}")]
    public static partial void TranscriptionFailed(ILogger logger, string requestId, string reason, Exception exception);

    [LoggerMessage(4, LogLevel.Warning, "[Worker] Busy: a request waited {Waited} for the one in progress and got 503")]
    public static partial void Busy(ILogger logger, TimeSpan waited);

    [LoggerMessage(10, LogLevel.Information, "[Whisper] Model {Path} is missing: downloading ggml model {Model}")]
    public static partial void ModelDownloading(ILogger logger, string path, string model);

    [LoggerMessage(11, LogLevel.Information, "[Whisper] Model {Path} loaded on the {Runtime} runtime")]
    public static partial void ModelLoaded(ILogger logger, string path, string runtime);

    [LoggerMessage(20, LogLevel.Information, "[Master] No Worker:MasterUrl: not registering (add this worker on the master by its URL)")]
    public static partial void Standalone(ILogger logger);

    [LoggerMessage(21, LogLevel.Information, "[Master] Registered with {Master} as {WorkerId}; heartbeat every {Interval}")]
    public static partial void Registered(ILogger logger, string master, string workerId, TimeSpan interval);

    [LoggerMessage(22, LogLevel.Warning, "[Master] {Master} does not know worker {WorkerId} any more: registering again")]
    public static partial void Forgotten(ILogger logger, string master, string workerId);

    [LoggerMessage(23, LogLevel.Warning, "[Master] {Master} unreachable ({Reason}); retrying in {Delay}")]
    public static partial void MasterUnreachable(ILogger logger, string master, string reason, TimeSpan delay);
}
