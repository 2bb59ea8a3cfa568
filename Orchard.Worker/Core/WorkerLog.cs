using Microsoft.Extensions.Logging;

namespace Orchard.Worker.Core;

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

    [LoggerMessage(30, LogLevel.Information, "[Worker] Engine {Engine}, model {Model}, pulling chunks from {Master}; no port open")]
    public static partial void StartedPull(ILogger logger, string engine, string model, string master);

    [LoggerMessage(31, LogLevel.Information, "[Master] Registered with {Master} as pull worker {WorkerId}; heartbeat every {Interval}")]
    public static partial void RegisteredPull(ILogger logger, string master, string workerId, TimeSpan interval);

    [LoggerMessage(32, LogLevel.Information, "[Lease] {LeaseId}: chunk {ChunkId} ({AudioSeconds:F1} s, language {Language}); renewing every {RenewEvery}")]
    public static partial void Leased(ILogger logger, string leaseId, string chunkId, double audioSeconds, string language, TimeSpan renewEvery);

    [LoggerMessage(33, LogLevel.Information, "[Lease] {LeaseId}: result {Status}")]
    public static partial void ResultPosted(ILogger logger, string leaseId, string status);

    [LoggerMessage(34, LogLevel.Warning, "[Lease] {LeaseId}: giving the chunk back ({Reason}, declined {Declined}): {Status}")]
    public static partial void FailPosted(ILogger logger, string leaseId, string reason, bool declined, string status);

    [LoggerMessage(35, LogLevel.Warning, "[Lease] {LeaseId} is no longer this worker's: transcription stopped, chunk dropped")]
    public static partial void LeaseLost(ILogger logger, string leaseId);

    [LoggerMessage(36, LogLevel.Warning, "[Lease] {LeaseId}: could not renew ({Reason}); trying again in {Delay}")]
    public static partial void RenewFailed(ILogger logger, string leaseId, string reason, TimeSpan delay);

    [LoggerMessage(37, LogLevel.Warning, "[Lease] {LeaseId}: could not tell the master ({Reason}); attempt {Attempt} of {Attempts}")]
    public static partial void AnswerUndelivered(ILogger logger, string leaseId, string reason, int attempt, int attempts);

    [LoggerMessage(38, LogLevel.Error, "[Lease] {LeaseId}: transcription failed: {Reason}")]
    public static partial void LeaseTranscriptionFailed(ILogger logger, string leaseId, string reason, Exception exception);

    [LoggerMessage(39, LogLevel.Debug, "[Lease] {Master} answered 204 after only {Elapsed}: waiting {Delay} before asking again")]
    public static partial void ShortPoll(ILogger logger, string master, TimeSpan elapsed, TimeSpan delay);
}
