using Orchard.Domain.Audio;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Transcripts;

namespace Orchard.Tests.Transcripts;

public sealed class TranscriptAssemblerTests
{
    // Chunk 1 starts at 60 s; its 4 s pause (63–67 s) was shortened to 0.3 s in the audio sent.
    private static readonly ChunkManifest Manifest = new()
    {
        JobId = "j",
        DurationMs = 120_000,
        Purified = false,
        Chunks =
        [
            new ManifestChunk { Index = 0, StartMs = 0, EndMs = 60_000, IsSilent = true, SentMs = 0, Map = CompactionMap.Identity(0, 60_000) },
            new ManifestChunk
            {
                Index = 1, StartMs = 60_000, EndMs = 120_000, IsSilent = false, SentMs = 56_300,
                Map = new CompactionMap([new CompactionSegment(0, 60_000, 3_150), new CompactionSegment(3_150, 66_850, 53_150)]),
            },
        ],
    };

    [Fact]
    public void Assemble_MapsSegmentsAcrossAShortenedPause_ToTheOriginalTimeline()
    {
        var transcript = TranscriptAssembler.Assemble(Manifest, new Dictionary<int, ChunkResult> { [1] = Result(1, "before and after", (1_000, 4_000)) });

        var segment = Assert.Single(transcript.Segments);
        Assert.Equal(61_000, segment.StartMs);
        Assert.Equal(67_700, segment.EndMs);
        Assert.Equal("00:01:01.000", segment.Start);
        Assert.Equal(120_000, transcript.DurationMs);
    }

    [Fact]
    public void Assemble_Throws_WhenASpeechChunkHasNoResult()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TranscriptAssembler.Assemble(Manifest, new Dictionary<int, ChunkResult>()));

        Assert.Contains("chunk(s) 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AssemblePartial_KeepsEveryResultAndMarksEachMissingChunk_OnTheOriginalTimeline()
    {
        var manifest = FourSpeechChunks();

        var transcript = TranscriptAssembler.AssemblePartial(
            manifest,
            new Dictionary<int, ChunkResult> { [0] = Result(0, "first", (1_000, 2_000)), [3] = Result(3, "last", (500, 1_500)) },
            new Dictionary<int, string> { [1] = "failed 5 times; last: HTTP 500" },
            "No worker became free within 30 minutes.");

        Assert.True(transcript.Partial);
        Assert.Equal("first last", transcript.Text);
        Assert.Equal([(0, 1_000L), (3, 178_500L)], transcript.Segments.Select(s => (s.ChunkIndex, s.StartMs)));
        Assert.Equal(2, transcript.Gaps!.Count);
        var (failed, left) = (transcript.Gaps[0], transcript.Gaps[1]);
        Assert.Equal(new TranscriptGap("00:00:58.400", "00:01:56.000", 58_400, 116_000, 1, "failed 5 times; last: HTTP 500"), failed);
        Assert.Equal(new TranscriptGap("00:01:56.000", "00:02:58.000", 116_000, 178_000, 2, "No worker became free within 30 minutes."), left);
    }

    [Fact]
    public void Assemble_LeavesPartialAndGapsOutOfTheJson_WhenEveryChunkHasAResult()
    {
        var transcript = TranscriptAssembler.Assemble(Manifest, new Dictionary<int, ChunkResult> { [1] = Result(1, "all", (1_000, 2_000)) });

        var json = Orchard.Domain.Json.OrchardJson.Serialize(transcript);

        Assert.False(transcript.Partial);
        Assert.Null(transcript.Gaps);
        Assert.DoesNotContain("partial", json, StringComparison.Ordinal);
        Assert.DoesNotContain("gaps", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_NamesEachChunkWithItsRange_AndTheChunksLeftWhenDispatchStopped()
    {
        var reasons = new Dictionary<int, string> { [1] = "failed 5 times; last: HTTP 500" };
        var transcript = TranscriptAssembler.AssemblePartial(FourSpeechChunks(), new Dictionary<int, ChunkResult>(), reasons, "No worker became free within 30 minutes.");

        var error = TranscriptAssembler.Describe("job-1", transcript.Gaps!, reasons, "No worker became free within 30 minutes.");

        Assert.Equal(
            "Chunk 1 (00:00:58\u201300:01:56) could not be transcribed: failed 5 times; last: HTTP 500. "
            + "No worker became free within 30 minutes. Chunks left untranscribed: 0 (00:00:00\u201300:00:59), 2 (00:01:56\u201300:02:58), 3 (00:02:58\u201300:03:10). "
            + "Everything else transcribed is kept, with each gap marked: GET /jobs/job-1/transcript.",
            error);
    }

    [Fact]
    public void Describe_NamesAtMostTenChunks_WhenManyFailed()
    {
        var gaps = Enumerable.Range(0, 25).Select(i => new TranscriptGap("", "", i * 60_000L, (i + 1) * 60_000L, i, i < 12 ? "HTTP 500" : "Stopped.")).ToArray();
        var reasons = gaps.Take(12).ToDictionary(g => g.ChunkIndex, _ => "HTTP 500");

        var error = TranscriptAssembler.Describe("j", gaps, reasons, "Stopped.");

        Assert.Contains("Chunk 9 (00:09:00\u201300:10:00) could not be transcribed: HTTP 500.", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Chunk 10 ", error, StringComparison.Ordinal);
        Assert.Contains("2 more chunks could not be transcribed.", error, StringComparison.Ordinal);
        Assert.Contains("Chunks left untranscribed: 12 (00:12:00\u201300:13:00), ", error, StringComparison.Ordinal);
        Assert.Contains("21 (00:21:00\u201300:22:00) and 3 more.", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("first part.", "second part.", "first part. second part.")]
    [InlineData("今日は講義です。", "次の話題です。", "今日は講義です。次の話題です。")]
    [InlineData("Orchard の", "説明", "Orchard の説明")]
    public void Assemble_JoinsChunkTexts_WithSpacesExceptBetweenJapanese(string first, string second, string expected)
    {
        var manifest = Manifest with
        {
            Chunks = [Manifest.Chunks[1] with { Index = 0 }, Manifest.Chunks[1] with { Index = 1 }],
        };

        var transcript = TranscriptAssembler.Assemble(manifest, new Dictionary<int, ChunkResult> { [0] = Result(0, first), [1] = Result(1, second) });

        Assert.Equal(expected, transcript.Text);
    }

    /// <summary>Four speech chunks: 0–58.4 s, 58.4–116 s, 116–178 s, 178–190 s, nothing compacted.</summary>
    private static ChunkManifest FourSpeechChunks()
    {
        var bounds = new[] { 0, 58_400, 116_000, 178_000, 190_000 };
        return new ChunkManifest
        {
            JobId = "j",
            DurationMs = 190_000,
            Purified = false,
            Chunks = Enumerable.Range(0, 4).Select(i => new ManifestChunk
            {
                Index = i, StartMs = bounds[i], EndMs = bounds[i + 1], IsSilent = false, SentMs = bounds[i + 1] - bounds[i],
                Map = CompactionMap.Identity(bounds[i], bounds[i + 1] - bounds[i]),
            }).ToArray(),
        };
    }

    private static ChunkResult Result(int index, string text, params (double Start, double End)[] segments) => new()
    {
        Index = index,
        WorkerId = "http://w:1",
        SentMs = 56_300,
        ElapsedMs = 500,
        Transcription = new WorkerTranscription
        {
            Text = text,
            TimeMs = 400,
            Segments = segments.Select(s => new WorkerSegment(null, null, s.Start, s.End, text)).ToArray(),
        },
    };
}
