using Orchard.Domain.Dispatch;

namespace Orchard.Tests.Dispatch;

public sealed class AnswerNormalizerTests
{
    private static WorkerAnswerSegment Seg(double? start, double? end, string? text) => new(null, null, start, end, text);

    private static WorkerAnswer Answer(string? text, params WorkerAnswerSegment?[]? segments) => new() { Text = text, Segments = segments };

    [Fact]
    public void Normalize_ClampsTimesIntoTheAudioSent_KeepingAZeroLengthSegmentsText()
    {
        // PocketSphinx: word times 4.4 s past the end of 45.19 s of audio; a negative start from a drifting engine.
        var result = AnswerNormalizer.Normalize(Answer("a b c", Seg(-120, 800, "a"), Seg(44_000, 46_250, "b"), Seg(46_250, 49_000, "c")), 45_190);

        Assert.Equal([(0.0, 800.0), (44_000.0, 45_190.0), (45_190.0, 45_190.0)], result.Transcription.Segments.Select(s => (s.StartMs, s.EndMs)));
        Assert.Equal(["a", "b", "c"], result.Transcription.Segments.Select(s => s.Text));
        Assert.Equal("00:00:45.190", result.Transcription.Segments[2].Start);
        Assert.Equal(3, result.Changes.Clamped);
        Assert.Equal(0, result.Changes.Reordered + result.Changes.DroppedEmpty + result.Changes.Repeated + result.Changes.Untimed);
    }

    [Fact]
    public void Normalize_SortsByStartStably_KeepingOverlapsInTheWorkersOrder()
    {
        var result = AnswerNormalizer.Normalize(Answer(null, Seg(5000, 9000, "late"), Seg(1000, 6000, "first"), Seg(1000, 2000, "same start"), Seg(2000, 7000, "overlap")), 10_000);

        Assert.Equal(["first", "same start", "overlap", "late"], result.Transcription.Segments.Select(s => s.Text));
        Assert.Equal(1, result.Changes.Reordered);
        Assert.Equal(0, result.Changes.Clamped);
        Assert.Equal("first same start overlap late", result.Transcription.Text);
    }

    [Fact]
    public void Normalize_DropsOnlyEmptyAndWhitespaceSegments()
    {
        var result = AnswerNormalizer.Normalize(Answer("x y", Seg(0, 100, ""), Seg(100, 200, "  \n"), Seg(200, 200, "x"), Seg(300, 400, null), Seg(400, 500, "y")), 1000);

        Assert.Equal(["x", "y"], result.Transcription.Segments.Select(s => s.Text));
        Assert.Equal(3, result.Changes.DroppedEmpty);
    }

    [Fact]
    public void Normalize_KeepsAndCountsRepeatedLines()
    {
        var result = AnswerNormalizer.Normalize(Answer(null, Seg(0, 1000, "Thank you."), Seg(1000, 2000, " Thank you."), Seg(2000, 3000, "Thank you."), Seg(3000, 4000, "Bye.")), 5000);

        Assert.Equal(4, result.Transcription.Segments.Count);
        Assert.Equal(2, result.Changes.Repeated);
    }

    [Fact]
    public void Normalize_MakesOneSegmentOverTheChunk_WhenTextComesWithoutSegments()
    {
        var result = AnswerNormalizer.Normalize(Answer(" hello world "), 30_000);

        var only = Assert.Single(result.Transcription.Segments);
        Assert.Equal((0.0, 30_000.0, "hello world"), (only.StartMs, only.EndMs, only.Text));
        Assert.Equal(1, result.Changes.Untimed);
    }

    [Fact]
    public void Normalize_AcceptsSilence_WhenSegmentsAndTextAreEmpty()
    {
        var result = AnswerNormalizer.Normalize(Answer(string.Empty, []), 30_000);

        Assert.Empty(result.Transcription.Segments);
        Assert.True(result.Changes.IsEmpty);
    }

    [Fact]
    public void Normalize_Throws_WhenNeitherSegmentsNorText()
    {
        var error = Assert.Throws<AnswerUnreadableException>(() => AnswerNormalizer.Normalize(new WorkerAnswer(), 1000));

        Assert.Contains("neither 'segments' nor 'text'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_Throws_WhenASegmentWithTextHasNoTimes()
    {
        Assert.Throws<AnswerUnreadableException>(() => AnswerNormalizer.Normalize(Answer("a", Seg(null, 100, "a")), 1000));
        Assert.Throws<AnswerUnreadableException>(() => AnswerNormalizer.Normalize(Answer("a", Seg(0, double.PositiveInfinity, "a")), 1000));
        Assert.Throws<AnswerUnreadableException>(() => AnswerNormalizer.Normalize(Answer("a", [null]), 1000));
    }

    [Fact]
    public void Normalize_Throws_WhenTextIsOutOfProportionToTheAudio()
    {
        var limit = AnswerNormalizer.MaxTextChars(10_000);
        Assert.Equal(AnswerNormalizer.TextSlackChars + (10 * AnswerNormalizer.TextCharsPerSecond), limit);
        var half = new string('a', (int)(limit / 2) + 1);

        Assert.Throws<AnswerUnreadableException>(() => AnswerNormalizer.Normalize(Answer(new string('a', (int)limit + 1)), 10_000));
        Assert.Throws<AnswerUnreadableException>(() => AnswerNormalizer.Normalize(Answer("a", Seg(0, 1, half), Seg(1, 2, half)), 10_000));
        Assert.Single(AnswerNormalizer.Normalize(Answer(null, Seg(0, 1, new string('a', (int)limit))), 10_000).Transcription.Segments);
    }
}
