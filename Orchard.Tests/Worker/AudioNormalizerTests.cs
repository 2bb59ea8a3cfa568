using Microsoft.Extensions.Options;
using Orchard.Tests.Audio;
using Orchard.Worker.Audio;
using Orchard.Worker.Core;

namespace Orchard.Tests.Worker;

public class AudioNormalizerTests
{
    private static readonly AudioNormalizer Normalizer = new(Options.Create(new WorkerOptions()));

    [Fact]
    public async Task NormalizeAsync_CopiesSamplesUnderCanonicalHeader_When16kMono()
    {
        using var dir = new TempDir();
        var input = dir.File("in.wav");
        File.WriteAllBytes(input, WorkerAudio.Wav16k(1.5));

        var audio = await Normalizer.NormalizeAsync(input, dir.File("out.wav"), CancellationToken.None);

        Assert.Equal(24000, audio.SampleCount);
        Assert.Equal(TimeSpan.FromSeconds(1.5), audio.Duration);
        Assert.Equal(File.ReadAllBytes(input), File.ReadAllBytes(audio.Path));
    }

    [Fact]
    public async Task NormalizeAsync_ConvertsWithFfmpeg_When44kStereo()
    {
        using var dir = new TempDir();
        var input = dir.File("in.wav");
        TestSignalBuilder.Ffmpeg("-f", "lavfi", "-i", "sine=frequency=300:sample_rate=44100:duration=2", "-ac", "2", input);

        var audio = await Normalizer.NormalizeAsync(input, dir.File("out.wav"), CancellationToken.None);

        Assert.InRange(audio.SampleCount, 31900, 32100);
        await using var output = File.OpenRead(audio.Path);
        var layout = WavFile.ReadLayout(output)!;
        Assert.True(layout.IsEngineFormat);
        Assert.Equal(44, layout.DataOffset);
    }

    [Fact]
    public async Task NormalizeAsync_ThrowsAudioFormat_WhenBodyIsNotAudio()
    {
        using var dir = new TempDir();
        var input = dir.File("in.wav");
        File.WriteAllText(input, "definitely not audio");

        var error = await Assert.ThrowsAsync<AudioFormatException>(() => Normalizer.NormalizeAsync(input, dir.File("out.wav"), CancellationToken.None));

        Assert.Contains("not audio", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NormalizeAsync_SaysToInstallFfmpeg_WhenConversionNeededAndFfmpegMissing()
    {
        using var dir = new TempDir();
        var input = dir.File("in.wav");
        TestSignalBuilder.Ffmpeg("-f", "lavfi", "-i", "sine=frequency=300:sample_rate=8000:duration=1", input);
        var normalizer = new AudioNormalizer(Options.Create(new WorkerOptions { Ffmpeg = "/nonexistent/ffmpeg" }));

        var error = await Assert.ThrowsAsync<AudioFormatException>(() => normalizer.NormalizeAsync(input, dir.File("out.wav"), CancellationToken.None));

        Assert.Contains("install ffmpeg", error.Message, StringComparison.Ordinal);
    }
}
