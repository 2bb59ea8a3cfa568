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
