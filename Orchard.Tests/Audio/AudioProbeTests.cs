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
        Assert.Equal(AudioProbe.NotReadable, ex.Message);
        Assert.Contains("Invalid data", ex.Detail, StringComparison.Ordinal); // ffprobe's stderr, for the log only
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
        await Assert.ThrowsAsync<AudioToolMissingException>(() => AudioProbe.ProbeAsync(path, new AudioOptions { FfprobePath = "/nonexistent/ffprobe" }, CancellationToken.None));
    }

    [Theory]
    [InlineData(349_000_001u, (ushort)1, "349,000,001 Hz")]
    [InlineData(1u, (ushort)1, "1 Hz")]
    [InlineData(7_999u, (ushort)1, "7,999 Hz")]
    [InlineData(384_001u, (ushort)1, "384,001 Hz")]
    [InlineData(16_000u, (ushort)33, "33 channels")]
    [InlineData(16_000u, (ushort)65_535, "65,535 channels")]
    public async Task ProbeAsync_ThrowsLimit_WhenWavStatesRateOrChannelsOutOfBounds(uint rate, ushort channels, string stated)
    {
        using var dir = new TempDir();
        var path = dir.File("hostile.wav");
        await File.WriteAllBytesAsync(path, TestSignalBuilder.HostileWav(rate, channels));
        var ex = await Assert.ThrowsAsync<AudioLimitException>(() => AudioProbe.ProbeAsync(path, CancellationToken.None));
        Assert.Contains(stated, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8_000u, (ushort)1)]
    [InlineData(384_000u, (ushort)32)]
    public async Task ProbeAsync_Accepts_WhenWavIsAtTheBounds(uint rate, ushort channels)
    {
        using var dir = new TempDir();
        var path = dir.File("edge.wav");
        await File.WriteAllBytesAsync(path, TestSignalBuilder.HostileWav(rate, channels, dataBytes: channels * 2 * 100));
        var result = await AudioProbe.ProbeAsync(path, CancellationToken.None);
        Assert.Equal(((int)rate, (int)channels), (result.SampleRate, result.Channels));
    }

    [Fact]
    public async Task ProbeAsync_ThrowsLimit_WhenFlacLastsLongerThanTheLimit()
    {
        using var dir = new TempDir();
        var flac = dir.File("long.flac");
        TestSignalBuilder.Ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=8", "-ar", "16000", "-ac", "1", flac);
        var ex = await Assert.ThrowsAsync<AudioLimitException>(() => AudioProbe.ProbeAsync(flac, new AudioOptions(), TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.Contains("Storage:MaxRecordingDuration", ex.Message, StringComparison.Ordinal);
        var accepted = await AudioProbe.ProbeAsync(flac, new AudioOptions(), TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.InRange(accepted.Duration!.Value.TotalSeconds, 7.9, 8.1);
    }

    [Fact]
    public async Task ProbeAsync_ThrowsLimit_WhenPcmWavLastsLongerThanTheLimit()
    {
        using var dir = new TempDir();
        var path = dir.File("long.wav");
        TestSignalBuilder.WriteWav(path, new float[3 * TestSignalBuilder.Rate]);
        await Assert.ThrowsAsync<AudioLimitException>(() => AudioProbe.ProbeAsync(path, new AudioOptions(), TimeSpan.FromSeconds(2), CancellationToken.None));
    }
}
