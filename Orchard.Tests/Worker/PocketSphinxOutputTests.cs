using Orchard.Worker.Engines;

namespace Orchard.Tests.Worker;

public class PocketSphinxOutputTests
{
    // Real output of Debian 12's pocketsphinx_continuous -time yes on espeak-ng speech: two utterances, times in
    // seconds from the start of the file, hypothesis lines first.
    private const string Output = """
        When old it is a good attitude
        <s> 0.000 0.320 1.000100
        when 0.330 0.470 0.018163
        old 0.480 0.700 0.085351
        <sil> 1.100 1.140 0.423925
        good(2) 1.150 1.520 0.040613
        [NOISE] 1.530 1.600 0.5
        attitude 1.610 1.930 0.023404
        </s> 1.940 2.480 1.000000
        on our second sentence
        <s> 5.200 5.300 0.999600
        on 5.310 5.460 0.063805
        ++UH++ 5.470 5.560 0.786291
        second 5.760 6.210 0.720840
        sentence 6.220 6.690 0.101523
        </s> 7.680 8.020 1.000000
        """;

    [Fact]
    public void ParseWords_KeepsWordsWithTimes_DroppingFillersAndVariantMarks()
    {
        var words = PocketSphinxOutput.ParseWords(Output);

        Assert.Equal(["when", "old", "good", "attitude", "on", "second", "sentence"], words.Select(w => w.Text));
        Assert.Equal(TimeSpan.FromSeconds(0.33), words[0].Start);
        Assert.Equal(TimeSpan.FromSeconds(0.47), words[0].End);
        Assert.Equal(TimeSpan.FromSeconds(5.31), words[4].Start);
    }

    [Fact]
    public void ParseWords_ReturnsNothing_WhenOnlyHypothesesOrLogs()
    {
        Assert.Empty(PocketSphinxOutput.ParseWords("hello world\nINFO: something 1 2\n\n"));
    }

    [Fact]
    public void Group_SplitsAtPausesOverHalfASecond()
    {
        var segments = PocketSphinxOutput.Group(PocketSphinxOutput.ParseWords(Output), TimeSpan.FromSeconds(8.02));

        Assert.Equal(["when old good attitude", "on second sentence"], segments.Select(s => s.Text));
        Assert.Equal(TimeSpan.FromSeconds(0.33), segments[0].Start);
        Assert.Equal(TimeSpan.FromSeconds(1.93), segments[0].End);
        Assert.Equal(TimeSpan.FromSeconds(5.31), segments[1].Start);
        Assert.Equal(TimeSpan.FromSeconds(6.69), segments[1].End);
    }

    [Fact]
    public void Group_SplitsAtTenWords_WhenSpeechHasNoPause()
    {
        var words = Enumerable.Range(0, 25)
            .Select(i => new RecognizedWord($"w{i}", TimeSpan.FromSeconds(i * 0.3), TimeSpan.FromSeconds((i * 0.3) + 0.25)))
            .ToList();

        var segments = PocketSphinxOutput.Group(words, TimeSpan.FromSeconds(10));

        Assert.Equal([10, 10, 5], segments.Select(s => s.Text.Split(' ').Length));
        Assert.Equal("w10", segments[1].Text.Split(' ')[0]);
    }

    [Fact]
    public void Group_ClampsTimesInsideTheAudio_WhenWordsOvershootTheEnd()
    {
        var words = new[]
        {
            new RecognizedWord("a", TimeSpan.FromSeconds(0.1), TimeSpan.FromSeconds(0.5)),
            new RecognizedWord("b", TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(2.6)),
        };

        var segments = PocketSphinxOutput.Group(words, TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.FromSeconds(2), segments[^1].End);
        Assert.All(segments, s => Assert.True(s.Start <= s.End && s.End <= TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void Group_ReturnsNoSegments_WhenNoWords()
    {
        Assert.Empty(PocketSphinxOutput.Group([], TimeSpan.FromSeconds(3)));
    }
}
