using Microsoft.Extensions.Options;
using Orchard.Tests.Audio;
using Orchard.Worker.Audio;
using Orchard.Worker.Core;
using Orchard.Worker.Engines;

namespace Orchard.Tests.Worker;

/// <summary>Real recognition with Debian's PocketSphinx on speech espeak-ng makes in the test.</summary>
public class PocketSphinxEngineTests
{
    private static readonly IOptions<WorkerOptions> Defaults = Options.Create(new WorkerOptions());

    [Fact]
    public async Task TranscribeAsync_ReturnsWordsInOrderedSegmentsInsideTheAudio_OnEspeakSpeech()
    {
        using var dir = new TempDir();
        var speech = WorkerAudio.Speech(dir, 1.5, "The weather is nice today.", "Please send the report before Friday.");
        var audio = await new AudioNormalizer(Defaults).NormalizeAsync(speech, dir.File("audio.wav"), CancellationToken.None);
        using var engine = new PocketSphinxEngine(Defaults);

        var transcript = await engine.TranscribeAsync(audio, "auto", CancellationToken.None);

        Assert.Equal("pocketsphinx", engine.Name);
        Assert.Equal("en-us", engine.Model);
        Assert.Equal("en", transcript.Language);
        Assert.NotEmpty(transcript.Segments);
        Assert.Contains(transcript.Segments, s => s.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 2);
        Assert.All(transcript.Segments, s =>
        {
            Assert.True(s.Start >= TimeSpan.Zero && s.Start <= s.End && s.End <= audio.Duration, $"{s.Start}-{s.End} outside 0-{audio.Duration}");
            Assert.DoesNotMatch(@"<|\[|\(\d+\)", s.Text);
        });
        Assert.Equal(transcript.Segments.OrderBy(s => s.Start), transcript.Segments);
        for (var i = 1; i < transcript.Segments.Count; i++)
        {
            Assert.True(transcript.Segments[i - 1].End <= transcript.Segments[i].Start);
        }

        // The 1.5 s pause between the sentences is longer than the 0.5 s split, so they cannot share a segment.
        Assert.True(transcript.Segments.Count >= 2, $"{transcript.Segments.Count} segments");
    }

    [Fact]
    public async Task TranscribeAsync_ThrowsNamingTheBinary_WhenPocketSphinxIsMissing()
    {
        using var dir = new TempDir();
        var audio = new NormalizedAudio(dir.File("a.wav"), 16000);
        File.WriteAllBytes(audio.Path, WorkerAudio.Wav16k(1));
        using var engine = new PocketSphinxEngine(Options.Create(new WorkerOptions { PocketSphinxBinary = "/nonexistent/pocketsphinx_continuous" }));

        var error = await Assert.ThrowsAsync<TranscriptionEngineException>(() => engine.TranscribeAsync(audio, "en", CancellationToken.None));

        Assert.Contains("/nonexistent/pocketsphinx_continuous", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TranscribeAsync_ThrowsWithPocketSphinxsError_WhenAcousticModelIsWrong()
    {
        using var dir = new TempDir();
        var audio = new NormalizedAudio(dir.File("a.wav"), 16000);
        File.WriteAllBytes(audio.Path, WorkerAudio.Wav16k(1));
        using var engine = new PocketSphinxEngine(Options.Create(new WorkerOptions { PocketSphinxHmm = dir.Path }));

        var error = await Assert.ThrowsAsync<TranscriptionEngineException>(() => engine.TranscribeAsync(audio, "en", CancellationToken.None));

        Assert.Contains("mdef", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TranscribeAsync_Throws_WhenAskedForAnotherLanguageThanEnglish()
    {
        using var engine = new PocketSphinxEngine(Defaults);

        var error = await Assert.ThrowsAsync<UnsupportedLanguageException>(() =>
            engine.TranscribeAsync(new NormalizedAudio("/unused.wav", 1), "ja", CancellationToken.None));

        Assert.Contains("English only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Arguments_AreTheDocumentedCommandLine()
    {
        using var engine = new PocketSphinxEngine(Defaults);

        Assert.Equal(
            ["-infile", "/tmp/a.wav", "-time", "yes", "-hmm", "/usr/share/pocketsphinx/model/en-us/en-us",
             "-lm", "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin", "-dict", "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"],
            engine.Arguments("/tmp/a.wav"));
    }

    [Theory]
    [InlineData("auto", true)]
    [InlineData("en", true)]
    [InlineData("en-US", true)]
    [InlineData("ja", false)]
    public void Supports_AcceptsEnglishAndAutoOnly(string language, bool expected)
    {
        Assert.Equal(expected, PocketSphinxEngine.Supports(language));
    }
}
