using System.Text.Json.Nodes;
using Orchard.Cli.Progress;

namespace Orchard.Tests.Cli.Progress;

public sealed class JobSnapshotTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void From_EstimatesTheRestFromThisJobsOwnPace_WhenSomeChunksAreDone()
    {
        // 240 s of audio in four chunks; 120 s transcribed (one of them silent) in the 60 s since the first chunk went out.
        var job = Job("processing", 240_000,
            Chunk(0, 0, 60_000, "completed", Now.AddSeconds(-60)),
            Chunk(1, 60_000, 120_000, "silent", null),
            Chunk(2, 120_000, 180_000, "processing", Now.AddSeconds(-10)),
            Chunk(3, 180_000, 240_000, "pending", null));

        var snapshot = JobSnapshot.From(job, Now);

        Assert.Equal(2, snapshot.DoneChunks);
        Assert.Equal(120, snapshot.DoneSeconds);
        Assert.Equal(240, snapshot.TotalSeconds);
        // Pace: 60 s of speech in 60 s; 120 s left.
        Assert.Equal(TimeSpan.FromSeconds(120), snapshot.Remaining);
        Assert.Equal("processing: 2 of 4 chunks, 2:00 of 4:00 of audio, about 2m00s left", snapshot.Describe());
    }

    [Fact]
    public void From_GivesNoEstimate_WhenNothingIsTranscribedYet()
    {
        var snapshot = JobSnapshot.From(Job("processing", 120_000, Chunk(0, 0, 60_000, "processing", Now.AddSeconds(-5)), Chunk(1, 60_000, 120_000, "pending", null)), Now);

        Assert.Null(snapshot.Remaining);
        Assert.Equal("processing: 0 of 2 chunks, 0:00 of 2:00 of audio", snapshot.Describe());
    }

    [Fact]
    public void From_LeavesFailedChunksOutOfWhatRemains_WhenTheJobGivesUpOnThem()
    {
        var snapshot = JobSnapshot.From(Job("processing", 180_000,
            Chunk(0, 0, 60_000, "completed", Now.AddSeconds(-30)),
            Chunk(1, 60_000, 120_000, "failed", Now.AddSeconds(-30)),
            Chunk(2, 120_000, 180_000, "pending", null)), Now);

        Assert.Equal(TimeSpan.FromSeconds(30), snapshot.Remaining);
    }

    [Fact]
    public void Describe_ShowsTheStatusAlone_BeforeTheRecordingIsSplit()
    {
        Assert.Equal("purifying", JobSnapshot.From(Job("purifying", null), Now).Describe());
    }

    private static JsonObject Job(string status, double? durationMs, params JsonObject[] chunks) => new()
    {
        ["job_id"] = "j",
        ["status"] = status,
        ["total_chunks"] = chunks.Length,
        ["duration_ms"] = durationMs,
        ["chunks"] = new JsonArray(chunks),
    };

    private static JsonObject Chunk(int index, double startMs, double endMs, string status, DateTimeOffset? startedAt)
    {
        var chunk = new JsonObject { ["index"] = index, ["start_ms"] = startMs, ["end_ms"] = endMs, ["status"] = status };
        if (startedAt is { } at)
        {
            chunk["started_at"] = at.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        }

        return chunk;
    }
}
