using Microsoft.Extensions.Logging;

namespace Orchard.Domain.Audio;

internal static partial class AudioLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Preparing {Path}: {Format}, purify {Purify}")]
    public static partial void Preparing(this ILogger logger, string path, string format, bool purify);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Prepared {Path}: {DurationMs} ms, {ChunkCount} chunks ({SilentCount} silent), noise floor {NoiseFloorDb:F1} dBFS, threshold {ThresholdDb:F1} dBFS")]
    public static partial void Prepared(this ILogger logger, string path, long durationMs, int chunkCount, int silentCount, double noiseFloorDb, double thresholdDb);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Audio stage {Stage} took {ElapsedMs:F1} ms")]
    public static partial void StageDone(this ILogger logger, string stage, double elapsedMs);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Could not delete temporary audio directory {Directory}")]
    public static partial void TempCleanupFailed(this ILogger logger, string directory, Exception exception);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "Purified: gain {GainDb:F1} dB, noise floor before {NoiseBeforeDb:F1} dBFS")]
    public static partial void PurifiedAudio(this ILogger logger, double gainDb, double noiseBeforeDb);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "Audio refused ({Kind}); the tool said: {Detail}")]
    public static partial void ToolSaid(this ILogger logger, string kind, string detail);
}
