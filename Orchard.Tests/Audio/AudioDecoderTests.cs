using Orchard.Domain.Audio;

namespace Orchard.Tests.Audio;

public class AudioDecoderTests
{
    private static float[] Reference(TempDir dir, out string wavPath)
    {
        var b = new TestSignalBuilder(4, seed: 11).AddBurst(0.5, 1.2, -18).AddBurst(2.2, 1.3, -18).AddWhiteNoise(-60);
        var signal = b.Build();
        wavPath = dir.File("ref.wav");
        TestSignalBuilder.WriteWav(wavPath, signal);
        return signal;
    }

    private static async Task<float[]> DecodeAsync(string path, TempDir dir)
    {
        var work = Directory.CreateDirectory(dir.File("work-" + Guid.NewGuid().ToString("N"))).FullName;
        var decoded = await AudioDecoder.DecodeAsync(path, work, new AudioOptions(), CancellationToken.None);
        using var pcm = decoded.Pcm;
        var samples = new float[pcm.SampleCount];
        pcm.Read(0, samples);
        return samples;
    }

    private static double ErrorDb(float[] reference, float[] decoded)
    {
        double err = 0, sig = 0;
        var n = Math.Min(reference.Length, decoded.Length);
        for (var i = 0; i < n; i++)
        {
            err += (reference[i] - decoded[i]) * (reference[i] - decoded[i]);
            sig += reference[i] * reference[i];
        }

        return 10 * Math.Log10((err + 1e-20) / sig);
    }

    [Theory]
    [InlineData("pcm_u8", 16000, 1, -25)]
    [InlineData("pcm_s16le", 16000, 2, -80)]
    [InlineData("pcm_s24le", 16000, 1, -80)]
    [InlineData("pcm_s32le", 16000, 1, -80)]
    [InlineData("pcm_f32le", 16000, 1, -80)]
    [InlineData("pcm_f64le", 16000, 1, -80)]
    [InlineData("pcm_s16le", 44100, 2, -40)]
    [InlineData("pcm_s24le", 48000, 1, -40)]
    [InlineData("pcm_f32le", 22050, 6, -40)]
    [InlineData("pcm_s16le", 8000, 1, -12)]
    public async Task DecodeAsync_ReadsWavInProcess_AnyDepthRateAndChannels(string codec, int rate, int channels, double maxErrorDb)
    {
        using var dir = new TempDir();
        var reference = Reference(dir, out var wav);
        var path = dir.File($"{codec}_{rate}_{channels}.wav");
        // pan copies the signal into every channel (ffmpeg's default upmix would lower it by 3 dB).
        var pan = $"pan={channels}c|" + string.Join('|', Enumerable.Range(0, channels).Select(c => $"c{c}=c0"));
        TestSignalBuilder.Ffmpeg("-i", wav, "-af", pan, "-c:a", codec, "-ar", $"{rate}", path);
        var decoded = await DecodeAsync(path, dir);
        Assert.InRange(decoded.Length, reference.Length - 2, reference.Length + 2);
        // 8 kHz loses everything above 4 kHz, hence its looser bound.
        var error = ErrorDb(reference, decoded);
        Assert.True(error < maxErrorDb, $"error {error:F1} dB");
    }

    [Fact]
    public async Task DecodeAsync_UsesFileAsIs_WhenAlreadyWorkerFormat()
    {
        using var dir = new TempDir();
        Reference(dir, out var wav);
        var decoded = await AudioDecoder.DecodeAsync(wav, dir.Path, new AudioOptions(), CancellationToken.None);
        using var pcm = decoded.Pcm;
        Assert.Equal(wav, pcm.Path);
        Assert.True(decoded.InProcess);
    }

    [Theory]
    [InlineData("flac", new string[0], -80)]
    [InlineData("mp3", new[] { "-b:a", "64k" }, -8)]
    [InlineData("ogg", new[] { "-c:a", "libvorbis" }, -8)]
    [InlineData("opus", new[] { "-c:a", "libopus", "-b:a", "48k" }, -8)]
    [InlineData("m4a", new[] { "-c:a", "aac", "-b:a", "64k" }, -8)]
    [InlineData("webm", new[] { "-c:a", "libopus", "-b:a", "48k" }, -8)]
    public async Task DecodeAsync_DecodesToSameSignal_CompressedFormats(string extension, string[] encoderArgs, double maxErrorDb)
    {
        using var dir = new TempDir();
        var reference = Reference(dir, out var wav);
        var path = dir.File("in." + extension);
        TestSignalBuilder.Ffmpeg(["-i", wav, .. encoderArgs, path]);
        var decoded = await DecodeAsync(path, dir);
        Assert.InRange(decoded.Length, reference.Length - 800, reference.Length + 800); // within 50 ms
        var error = ErrorDb(reference, decoded);
        Assert.True(error < maxErrorDb, $"{extension}: waveform error {error:F1} dB");
    }

    [Fact]
    public async Task DecodeAsync_Throws_WhenWavTruncated()
    {
        using var dir = new TempDir();
        Reference(dir, out var wav);
        var truncated = dir.File("t.wav");
        var bytes = File.ReadAllBytes(wav);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var ex = await Assert.ThrowsAsync<AudioDecodeException>(() => DecodeAsync(truncated, dir));
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mp3")]
    [InlineData("flac")]
    [InlineData("webm")]
    public async Task DecodeAsync_ThrowsDecodeError_WhenCompressedFileTruncated(string extension)
    {
        using var dir = new TempDir();
        Reference(dir, out var wav);
        var full = dir.File("full." + extension);
        TestSignalBuilder.Ffmpeg("-i", wav, full);
        var bytes = File.ReadAllBytes(full);
        var truncated = dir.File("t." + extension);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        await Assert.ThrowsAsync<AudioDecodeException>(() => DecodeAsync(truncated, dir));
    }

    [Fact]
    public async Task DecodeAsync_ThrowsDecodeError_WhenCompressedFileCorrupt()
    {
        using var dir = new TempDir();
        Reference(dir, out var wav);
        var flac = dir.File("c.flac");
        TestSignalBuilder.Ffmpeg("-i", wav, flac);
        var bytes = File.ReadAllBytes(flac);
        new Random(5).NextBytes(bytes.AsSpan(bytes.Length / 3, 3000));
        File.WriteAllBytes(flac, bytes);
        var ex = await Assert.ThrowsAsync<AudioDecodeException>(() => DecodeAsync(flac, dir));
        Assert.Contains("corrupt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DecodeAsync_ReadsLocalFile_WhenNameLooksLikeOptionOrUrl()
    {
        using var dir = new TempDir();
        var reference = Reference(dir, out var wav);
        var odd = Path.Combine(dir.Path, "-i http:x y.mp3");
        TestSignalBuilder.Ffmpeg("-i", wav, "file:" + odd);
        var decoded = await DecodeAsync(odd, dir);
        Assert.InRange(decoded.Length, reference.Length - 800, reference.Length + 800);
    }

    [Fact]
    public async Task DecodeAsync_RefusesAtTheCap_WhenWavHeaderUnderstatesTheDuration()
    {
        using var dir = new TempDir();
        var wav = dir.File("understated.wav");
        TestSignalBuilder.WavUnderstatingItsDuration(wav, seconds: 20);
        var probe = await AudioProbe.ProbeAsync(wav, new AudioOptions(), TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.True(probe.Duration < TimeSpan.FromSeconds(1), $"the header should state under 1 s, not {probe.Duration}");
        var work = Directory.CreateDirectory(dir.File("work")).FullName;

        var ex = await Assert.ThrowsAsync<AudioLimitException>(() => AudioDecoder.DecodeAsync(wav, work, new AudioOptions(), TimeSpan.FromSeconds(5), CancellationToken.None));

        Assert.Contains("decodes to more than 5 s (Storage:MaxRecordingDuration) although its header states 0.2 s", ex.Message, StringComparison.Ordinal);
        // ffmpeg stopped at the cap (limit + 1 s) instead of writing all 20 s, and what it wrote is gone.
        Assert.Empty(Directory.GetFiles(work));
    }

    [Fact]
    public async Task DecodeAsync_DecodesWhole_WhenUnderstatedWavStillFitsTheLimit()
    {
        using var dir = new TempDir();
        var wav = dir.File("understated.wav");
        TestSignalBuilder.WavUnderstatingItsDuration(wav, seconds: 3);
        var decoded = await DecodeAsync(wav, dir);
        Assert.InRange(decoded.Length, 2.95 * TestSignalBuilder.Rate, 3.1 * TestSignalBuilder.Rate);
    }

    [Fact]
    public async Task DecodeAsync_RefusesBeforeReading_WhenStreamingWavHeaderRunsPastTheLimit()
    {
        using var dir = new TempDir();
        // A data size of 0xFFFFFFFF (a streaming writer's) means "to the end of the file": 3 s at 8 kHz here.
        var path = dir.File("streaming.wav");
        await File.WriteAllBytesAsync(path, TestSignalBuilder.HostileWav(8_000, 1, dataBytes: 3 * 8_000 * 2, declaredDataBytes: uint.MaxValue));
        var work = Directory.CreateDirectory(dir.File("work")).FullName;

        var ex = await Assert.ThrowsAsync<AudioLimitException>(() => AudioDecoder.DecodeAsync(path, work, new AudioOptions(), TimeSpan.FromSeconds(2), CancellationToken.None));

        Assert.Contains("Storage:MaxRecordingDuration", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(work));
        var decoded = await AudioDecoder.DecodeAsync(path, work, new AudioOptions(), TimeSpan.FromSeconds(3), CancellationToken.None);
        using var pcm = decoded.Pcm;
        Assert.Equal(3L * AudioFormat.SampleRate, pcm.SampleCount);
    }

    [Theory]
    [InlineData(349_000_001u, (ushort)1)]
    [InlineData(1u, (ushort)1)]
    [InlineData(16_000u, (ushort)65_535)]
    public async Task DecodeAsync_RefusesWithoutDecoding_WhenWavIsOutsideTheBounds(uint rate, ushort channels)
    {
        using var dir = new TempDir();
        var path = dir.File("hostile.wav");
        await File.WriteAllBytesAsync(path, TestSignalBuilder.HostileWav(rate, channels));
        var work = Directory.CreateDirectory(dir.File("work")).FullName;
        await Assert.ThrowsAsync<AudioLimitException>(() => AudioDecoder.DecodeAsync(path, work, new AudioOptions(), CancellationToken.None));
        Assert.Empty(Directory.GetFiles(work));
    }
}
