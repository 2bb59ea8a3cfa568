using Orchard.Domain.Jobs;
using Orchard.Domain.Workers;

namespace Orchard.Domain.Dashboard;

/// <summary>How far a job is in audio seconds, and when it should end at the fleet's measured speed.</summary>
public static class JobEstimate
{
    /// <summary>
    /// Audio done and in all, in milliseconds of the original recording: chunks transcribed or silent are done, so
    /// a long chunk moves the bar more than a short one. Without chunks (not split yet, or only a summary), a finished
    /// job is all done and any other none.
    /// </summary>
    public static (double DoneMs, double TotalMs) Progress(JobSummary summary, IReadOnlyList<ChunkRecord>? chunks)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (chunks is { Count: > 0 })
        {
            var total = chunks.Sum(Length);
            var done = chunks.Where(c => c.Status is ChunkStatus.Completed or ChunkStatus.Silent).Sum(Length);
            return (done, Math.Max(total, summary.DurationMs ?? 0));
        }

        var duration = summary.DurationMs ?? 0;
        return (summary.Status == JobStatus.Completed ? duration : 0, duration);
    }

    /// <summary>
    /// Seconds until the chunks still to transcribe are done: their audio (as sent, pauses shortened) over what the
    /// fleet transcribes per second, but never less than the longest of them on the fastest worker (a chunk is not
    /// shared). Null when nothing is measured yet or nothing is left; other jobs sharing the fleet are not counted.
    /// </summary>
    public static double? EtaSeconds(IReadOnlyList<ChunkRecord> chunks, IReadOnlyList<Worker> online)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(online);
        var left = chunks.Where(c => c.Status is ChunkStatus.Pending or ChunkStatus.Processing).Select(c => (c.SentMs ?? Length(c)) / 1000).ToArray();
        var ratios = online.Select(w => w.AverageSpeedRatio).OfType<double>().Where(r => r > 0).ToArray();
        if (left.Length == 0 || ratios.Length == 0)
        {
            return null;
        }

        var perSecond = ratios.Sum(r => 1 / r);
        return Math.Max(left.Sum() / perSecond, left.Max() * ratios.Min());
    }

    /// <summary>Audio seconds per second of the measured workers given (see <see cref="FleetTotals"/>).</summary>
    public static double AudioSecondsPerSecond(IEnumerable<Worker> online) =>
        online.Select(w => w.AverageSpeedRatio).OfType<double>().Where(r => r > 0).Sum(r => 1 / r);

    private static double Length(ChunkRecord chunk) => Math.Max(0, chunk.EndMs - chunk.StartMs);
}
