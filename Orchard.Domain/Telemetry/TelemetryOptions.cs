using System.ComponentModel.DataAnnotations;

namespace Orchard.Domain.Telemetry;

/// <summary>
/// Where traces and metrics go (section <c>Telemetry</c>). Azure Monitor and OTLP are switched on by their standard
/// settings, as the Functions host's own telemetry is: <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> and
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; this section holds what has no standard setting.
/// </summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>Writes spans and metrics to standard output: for a developer's machine, too verbose for the cloud.</summary>
    public bool Console { get; set; }

    /// <summary>
    /// How old the queue depth gauge's reading of the job store may get before a collection asks for a fresh one
    /// (one Redis round trip per 1,000 jobs being processed, plus the worker list).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan QueueDepthRefresh { get; set; } = TimeSpan.FromSeconds(10);
}
