using System.Globalization;
using System.Text.Json.Nodes;

namespace Orchard.Cli.Progress;

/// <summary>
/// Where a job stands, read from its own document (<c>GET /jobs/{id}</c>): chunks done of total, and seconds of the
/// recording transcribed of its duration, with an ETA from the pace of this job's chunks so far.
/// </summary>
public sealed record JobSnapshot(
    string Status,
    int TotalChunks,
    int DoneChunks,
    double DoneSeconds,
    double TotalSeconds,
    TimeSpan? Remaining,
    string? Error)
{
    public bool IsFinished => Status is "completed" or "failed" or "cancelled";

    public static JobSnapshot From(JsonObject job, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        var chunks = (job["chunks"] as JsonArray ?? []).OfType<JsonObject>().ToArray();
        double Seconds(JsonObject c) => Math.Max(0, ((double?)c["end_ms"] ?? 0) - ((double?)c["start_ms"] ?? 0)) / 1000;
        string? StatusOf(JsonObject c) => (string?)c["status"];

        var transcribed = chunks.Where(c => StatusOf(c) == "completed").ToArray();
        var silent = chunks.Where(c => StatusOf(c) == "silent").ToArray();
        var transcribedSeconds = transcribed.Sum(Seconds);
        var doneSeconds = transcribedSeconds + silent.Sum(Seconds);
        var totalSeconds = (double?)job["duration_ms"] is { } duration ? duration / 1000 : chunks.Sum(Seconds);
        var failed = chunks.Where(c => StatusOf(c) == "failed").Sum(Seconds);

        // The pace is this job's own: audio transcribed since its first chunk went out, so it already reflects the
        // fleet it got (slow devices, retries, other jobs sharing the workers).
        TimeSpan? remaining = null;
        var firstStart = chunks.Select(c => (string?)c["started_at"]).OfType<string>()
            .Select(s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture)).DefaultIfEmpty().Min();
        if (transcribedSeconds > 0 && firstStart != default && now > firstStart)
        {
            var pace = transcribedSeconds / (now - firstStart).TotalSeconds;
            remaining = TimeSpan.FromSeconds(Math.Max(0, totalSeconds - doneSeconds - failed) / pace);
        }

        return new JobSnapshot(
            (string?)job["status"] ?? "unknown",
            (int?)job["total_chunks"] ?? chunks.Length,
            transcribed.Length + silent.Length,
            doneSeconds,
            totalSeconds,
            remaining,
            (string?)job["error"]);
    }

    /// <summary>One line: <c>processing: 3 of 8 chunks, 1:30 of 4:00 of audio, about 1m20s left</c>.</summary>
    public string Describe()
    {
        if (TotalChunks == 0)
        {
            return IsFinished || TotalSeconds <= 0 ? Status : $"{Status}: {Clock(TotalSeconds)} of audio";
        }

        var line = $"{Status}: {DoneChunks} of {TotalChunks} chunks, {Clock(DoneSeconds)} of {Clock(TotalSeconds)} of audio";
        return Remaining is { } left && !IsFinished ? $"{line}, about {Span(left)} left" : line;
    }

    public static string Clock(double seconds)
    {
        var time = TimeSpan.FromSeconds(Math.Round(seconds));
        return time.TotalHours >= 1 ? time.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : time.ToString(@"m\:ss", CultureInfo.InvariantCulture);
    }

    public static string Span(TimeSpan time) =>
        time.TotalHours >= 1 ? $"{(int)time.TotalHours}h{time.Minutes:D2}m"
        : time.TotalMinutes >= 1 ? $"{(int)time.TotalMinutes}m{time.Seconds:D2}s"
        : $"{Math.Max(1, (int)Math.Ceiling(time.TotalSeconds))}s";
}
