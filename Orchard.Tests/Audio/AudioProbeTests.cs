using Orchard.Domain.Audio;

namespace Orchard.Tests.Audio;

public class AudioProbeTests
{
    [Fact]
    public async Task ProbeAsync_ReadsWavHeader_InProcess()
    {
        using var dir = new TempDir();
        var path = dir.File("a.wav");
        TestSignalBuilder.WriteWav(path, new TestSignalBuilder(2.5).AddBurst(0.5, 1).Build());
        var result = await AudioProbe.ProbeAsync(path, new AudioOptions { FfprobePath = "/nonexistent/ffprobe" }, CancellationToken.None);
        Assert.True(result.IsAudio);
        Assert.Equal("wav", result.FormatName);
        Assert.Equal(TimeSpan.FromSeconds(2.5), result.Duration);
        Assert.Equal(16000, result.SampleRate);
    }

    [Fact]
    public async Task ProbeAsync_UsesFfprobe_ForMp3()
    {
        using var dir = new TempDir();
        var wav = dir.File("a.wav");
        TestSignalBuilder.WriteWav(wav, new TestSignalBuilder(3).AddBurst(0.5, 2).Build());
        var mp3 = dir.File("a.mp3");
        TestSignalBuilder.Ffmpeg("-i", wav, mp3);
        var result = await AudioProbe.ProbeAsync(mp3, CancellationToken.None);
        Assert.Equal("mp3", result.FormatName);
        Assert.InRange(result.Duration!.Value.TotalSeconds, 2.9, 3.2);
    }

    [Fact]
    public async Task ProbeAsync_ThrowsNotAudio_WhenTextFile()
    {
        using var dir = new TempDir();
        var path = dir.File("notes.txt");
        await File.WriteAllTextAsync(path, "these are meeting notes, not a recording\n");
        var ex = await Assert.ThrowsAsync<NotAudioException>(() => AudioProbe.ProbeAsync(path, CancellationToken.None));
        Assert.StartsWith("not an audio file ffmpeg can read: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid data", ex.Message, StringComparison.Ordinal); // ffmpeg's stderr is quoted
    }

    [Fact]
    public async Task ProbeAsync_ThrowsNotAudio_WhenPng()
    {
        using var dir = new TempDir();
        var path = dir.File("image.png");
        TestSignalBuilder.Ffmpeg("-f", "lavfi", "-i", "color=red:s=16x16:d=1", "-frames:v", "1", path);
        var ex = await Assert.ThrowsAsync<NotAudioException>(() => AudioProbe.ProbeAsync(path, CancellationToken.None));
        Assert.Contains("no audio stream", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeAsync_ThrowsEmpty_WhenZeroBytes()
    {
        using var dir = new TempDir();
        var path = dir.File("empty.mp3");
        await File.WriteAllBytesAsync(path, []);
        await Assert.ThrowsAsync<EmptyAudioException>(() => AudioProbe.ProbeAsync(path, CancellationToken.None));
    }

    [Fact]
    public async Task ProbeAsync_ThrowsEmpty_WhenWavHasNoSamples()
    {
        using var dir = new TempDir();
        var path = dir.File("empty.wav");
        TestSignalBuilder.WriteWav(path, []);
        await Assert.ThrowsAsync<EmptyAudioException>(() => AudioProbe.ProbeAsync(path, CancellationToken.None));
    }

    [Fact]
    public async Task ProbeAsync_ThrowsToolError_WhenFfprobeMissing()
    {
        using var dir = new TempDir();
        var path = dir.File("x.bin");
        await File.WriteAllBytesAsync(path, [1, 2, 3]);
        await Assert.ThrowsAsync<AudioToolException>(() => AudioProbe.ProbeAsync(path, new AudioOptions { FfprobePath = "/nonexistent/ffprobe" }, CancellationToken.None));
    }
}
