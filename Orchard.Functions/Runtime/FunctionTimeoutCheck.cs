using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Audio;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Storage;

namespace Orchard.Functions.Runtime;

/// <summary>
/// Refuses to start when host.json's <c>functionTimeout</c> is shorter than the longest an activity may legitimately
/// run: the host would kill a delivery or a preparation half-way, and the job would retry it into the same wall.
/// The bounds come from the settings that drive each activity, so raising one of them without host.json is caught here.
/// </summary>
public sealed partial class FunctionTimeoutCheck(
    IOptions<DispatchOptions> dispatch, IOptions<AudioOptions> audio, IOptions<StorageOptions> storage, ILogger<FunctionTimeoutCheck> logger) : IHostedService
{
    /// <summary>Blob and Redis work around a delivery, beyond the worker's own time.</summary>
    static readonly TimeSpan DeliveryOverhead = TimeSpan.FromMinutes(1);

    /// <summary>
    /// In-process preparation (purify, split, chunk upload) as a fraction of the recording: measured at over 400× real
    /// time for the purifier here; 60× leaves room for a slower cloud core and the uploads.
    /// </summary>
    const double PreparationSpeed = 60;

    public static string HostJsonPath => Path.Combine(AppContext.BaseDirectory, "host.json");

    /// <summary>The longest a chunk delivery may run: the worker's cap plus the master's own I/O.</summary>
    public TimeSpan DeliveryBound => dispatch.Value.TimeoutCap + DeliveryOverhead;

    /// <summary>The longest a preparation may run: probe and decode (each under the ffmpeg timeout), then in-process work.</summary>
    public TimeSpan PreparationBound => (2 * audio.Value.FfmpegTimeout) + (storage.Value.MaxRecordingDuration / PreparationSpeed) + RecordingStore.CopyWaitLimit;

    /// <summary>Reads <c>functionTimeout</c>; null when it is absent or -1 (unbounded).</summary>
    public static TimeSpan? ReadFunctionTimeout(string hostJson)
    {
        using var document = JsonDocument.Parse(hostJson, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!document.RootElement.TryGetProperty("functionTimeout", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = value.GetString();
        return text is "-1" ? null : TimeSpan.Parse(text!, CultureInfo.InvariantCulture);
    }

    /// <summary>host.json's <c>functionTimeout</c> in words, for <c>/health</c>: the value, "unbounded", or that host.json is missing.</summary>
    public static string Describe() =>
        !File.Exists(HostJsonPath) ? "unknown (no host.json beside the app)"
        : ReadFunctionTimeout(File.ReadAllText(HostJsonPath)) is { } limit ? limit.ToString("c", CultureInfo.InvariantCulture)
        : "unbounded";

    /// <summary>Throws <see cref="InvalidOperationException"/> with a sentence naming the settings when a bound does not fit.</summary>
    public void Check(TimeSpan? functionTimeout)
    {
        if (functionTimeout is not { } limit)
        {
            return;
        }

        if (DeliveryBound >= limit)
        {
            throw new InvalidOperationException(
                $"host.json functionTimeout ({limit}) is shorter than a chunk delivery may take ({DeliveryBound}: Dispatch:TimeoutCap plus a minute). Raise functionTimeout or lower Dispatch:TimeoutCap.");
        }

        if (PreparationBound >= limit)
        {
            throw new InvalidOperationException(
                $"host.json functionTimeout ({limit}) is shorter than preparing a recording may take ({PreparationBound}: twice Audio:FfmpegTimeout plus Storage:MaxRecordingDuration / {PreparationSpeed} plus {RecordingStore.CopyWaitLimit.TotalMinutes} minutes for an upload's copy). Raise functionTimeout or lower those settings.");
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(HostJsonPath))
        {
            LogNoHostJson(logger, HostJsonPath);
            return Task.CompletedTask;
        }

        var limit = ReadFunctionTimeout(File.ReadAllText(HostJsonPath));
        Check(limit);
        LogChecked(logger, limit?.ToString() ?? "unbounded", DeliveryBound, PreparationBound);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "No host.json at {Path}: functionTimeout not checked")]
    static partial void LogNoHostJson(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "functionTimeout {Limit} fits the longest delivery ({Delivery}) and preparation ({Preparation})")]
    static partial void LogChecked(ILogger logger, string limit, TimeSpan delivery, TimeSpan preparation);
}
