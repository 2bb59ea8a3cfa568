using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchard.Domain.Audio;

namespace Orchard.Tests.Audio;

public class AudioPipelineTests
{
    private const int Rate = AudioFormat.SampleRate;

    private static AudioPipeline Pipeline(AudioOptions? options = null) =>
        new(Options.Create(options ?? new AudioOptions()), NullLogger<AudioPipeline>.Instance);

    /// <summary>Bursts of 2.2-4.3 s with pauses drawn like the benchmark's (70% short, 20% medium, 10% long).</summary>
    private static TestSignalBuilder Conversation(double seconds, int seed)
    {
        var random = new Random(seed);
        var b = new TestSignalBuilder(seconds, seed);
        b.AddBurstSequence(0.8, Enumerable.Range(0, 10_000).Select(_ =>
        {
            var u = random.NextDouble();
            var pause = u < 0.7 ? 0.3 + (random.NextDouble() * 1.2) : u < 0.9 ? 1.5 + (random.NextDouble() * 2) : 3.5 + (random.NextDouble() * 2.5);
            return (2.2 + (random.NextDouble() * 2.1), pause);
        }));
        return b;
    }

    private static void AssertTiles(PreparedRecording recording, long sampleCount)
    {
        Assert.Equal(sampleCount, recording.SampleCount);
        Assert.Equal(0, recording.Chunks[0].StartSample);
        Assert.Equal(sampleCount, recording.Chunks[^1].EndSample);
        for (var i = 0; i < recording.Chunks.Count; i++)
        {
            var c = recording.Chunks[i];
            Assert.Equal(i, c.Index);
            Assert.True(c.EndSample > c.StartSample);
            Assert.Equal(c.StartSample / 16.0, c.StartMs);
            Assert.Equal(c.EndSample / 16.0, c.EndMs);
            if (i > 0)
            {
                Assert.Equal(recording.Chunks[i - 1].EndSample, c.StartSample);
            }
        }
    }

    [Theory]
    [InlineData("white")]
    [InlineData("pink")]
    public async Task PrepareAsync_SplitsAtPausesWithinBounds_FiveMinutesUnderNoiseAtMinus34Dbfs(string noise)
    {
        using var dir = new TempDir();
        var b = Conversation(300, seed: 21);
        _ = noise == "pink" ? b.AddPinkNoise(-34) : b.AddWhiteNoise(-34);
        var signal = b.Build();
        var input = dir.File("in.wav");
        TestSignalBuilder.WriteWav(input, signal);
        var samples16 = TestSignalBuilder.ToInt16(signal);

        var recording = await Pipeline().PrepareAsync(input, purify: false, dir.File("out"), CancellationToken.None);

        AssertTiles(recording, signal.Length);
        Assert.Equal(300_000, recording.DurationMs);
        Assert.InRange(recording.Chunks.Count, 2, 10);
        foreach (var c in recording.Chunks)
        {
            Assert.False(c.IsSilent);
            Assert.InRange(c.EndSample - c.StartSample, c.Index == recording.Chunks.Count - 1 ? 1 : 30L * Rate, 180L * Rate);
            // No cut inside a burst.
            Assert.DoesNotContain(b.Bursts, burst => burst.Start < c.StartSample && c.StartSample < burst.End);

            // The compacted WAV holds exactly the original samples the map names, and is shorter than the chunk.
            var wav = TestSignalBuilder.ReadWav16(c.WavPath!);
            Assert.Equal(c.CompactedDurationMs * 16, wav.Length, 6);
            Assert.True(wav.Length < c.EndSample - c.StartSample);
            foreach (var s in c.Map.Segments)
            {
                var from = (int)(s.CompactedStartMs * 16);
                var orig = (int)(s.OriginalStartMs * 16);
                var len = (int)(s.LengthMs * 16);
                Assert.True(wav.AsSpan(from, len).SequenceEqual(samples16.AsSpan(orig, len)), $"chunk {c.Index} segment at {s.CompactedStartMs} ms");
            }
        }

        Assert.True(recording.NoiseFloorDb is > -37 and < -31, $"noise floor {recording.NoiseFloorDb}");
    }

    [Fact]
    public async Task PrepareAsync_CompactedBurstOnsetsMapBackWithin10Ms_LongPauses()
    {
        using var dir = new TempDir();
        var b = new TestSignalBuilder(40, seed: 4);
        // Pauses of 0.5 s (kept) and 2-6 s (shortened to 0.3 s).
        b.AddBurstSequence(2.0, [(2.5, 4.0), (3.0, 0.5), (2.2, 6.0), (4.0, 2.0), (3.3, 1.2), (2.7, 3.0), (3.1, 0)]);
        b.AddWhiteNoise(-65);
        var input = dir.File("in.wav");
        TestSignalBuilder.WriteWav(input, b.Build());

        var recording = await Pipeline().PrepareAsync(input, purify: false, dir.File("out"), CancellationToken.None);
        var chunk = Assert.Single(recording.Chunks);
        var wav = TestSignalBuilder.ReadWav16(chunk.WavPath!);
        // Five pauses over 1 s each lose all but 0.6 s (0.3 s gap + 0.15 s kept at each speech edge): 14 s removed.
        Assert.True(chunk.CompactedDurationMs < 40_000 - 13_000);

        // Onsets in the compacted audio: a 2 ms window above -40 dBFS after at least 150 ms below -45 dBFS.
        var onsets = new List<double>();
        var quietWindows = 1000;
        for (var w = 0; w + 32 <= wav.Length; w += 32)
        {
            double power = 0;
            for (var i = w; i < w + 32; i++)
            {
                power += (wav[i] / 32768.0) * (wav[i] / 32768.0);
            }

            var db = 10 * Math.Log10((power / 32) + 1e-12);
            if (db > -40 && quietWindows >= 75)
            {
                onsets.Add(w / 16.0);
            }

            quietWindows = db < -45 ? quietWindows + 1 : 0;
        }

        Assert.Equal(b.Bursts.Count, onsets.Count);
        for (var i = 0; i < onsets.Count; i++)
        {
            Assert.InRange(chunk.Map.ToOriginalMs(onsets[i]) - b.Bursts[i].StartMs, -10, 10);
        }

        // A worker segment from inside burst 1 to inside burst 3 straddles a shortened pause: both ends map back.
        var startInBurst1 = onsets[0] + 1_000;
        var endInBurst3 = onsets[2] + 500;
        Assert.InRange(chunk.Map.ToOriginalMs(startInBurst1) - (b.Bursts[0].StartMs + 1_000), -10, 10);
        Assert.InRange(chunk.Map.ToOriginalMs(endInBurst3) - (b.Bursts[2].StartMs + 500), -10, 10);
    }

    [Fact]
    public async Task PrepareAsync_PassesSamplesUnchanged_WhenPurifyOffAndNoCompaction()
    {
        using var dir = new TempDir();
        var signal = Conversation(40, seed: 8).AddWhiteNoise(-50).Build();
        var input = dir.File("in.wav");
        TestSignalBuilder.WriteWav(input, signal);
        var options = new AudioOptions { MinChunkSeconds = 5, MaxChunkSeconds = 12, CompactPauseLongerThanMs = 3_600_000 };

        var recording = await Pipeline(options).PrepareAsync(input, purify: false, dir.File("out"), CancellationToken.None);

        AssertTiles(recording, signal.Length);
        var samples16 = TestSignalBuilder.ToInt16(signal);
        var spoken = recording.Chunks.Where(c => !c.IsSilent).ToList();
        Assert.True(spoken.Count >= 3);
        foreach (var c in spoken)
        {
            Assert.Equal($"chunk_{c.Index:D5}.wav", Path.GetFileName(c.WavPath));
            var wav = TestSignalBuilder.ReadWav16(c.WavPath!);
            Assert.Equal(samples16[(int)c.StartSample..(int)c.EndSample], wav);
        }
    }

    [Fact]
    public async Task PrepareAsync_CutsBetweenBursts_WhenNoPauseIsLongEnough()
    {
        using var dir = new TempDir();
        var b = new TestSignalBuilder(60, seed: 5);
        b.AddBurstSequence(0.2, Enumerable.Range(0, 40).Select(i => (2.0 + (i % 3 * 0.4), 0.35)));
        b.AddWhiteNoise(-55);
        var input = dir.File("in.wav");
        TestSignalBuilder.WriteWav(input, b.Build());
        var options = new AudioOptions { MinChunkSeconds = 8, MaxChunkSeconds = 15 };

        var recording = await Pipeline(options).PrepareAsync(input, purify: false, dir.File("out"), CancellationToken.None);

        AssertTiles(recording, b.Length);
        Assert.True(recording.Chunks.Count >= 4);
        foreach (var c in recording.Chunks.Skip(1))
        {
            Assert.DoesNotContain(b.Bursts, burst => burst.Start < c.StartSample && c.StartSample < burst.End);
            Assert.True(c.EndSample - c.StartSample <= 15L * Rate);
        }
    }

    [Fact]
    public async Task PrepareAsync_GivesOnlySilentChunks_WhenRecordingIsSilence()
    {
        using var dir = new TempDir();
        var signal = new TestSignalBuilder(70).AddWhiteNoise(-70).Build();
        var input = dir.File("in.wav");
        TestSignalBuilder.WriteWav(input, signal);
        var output = dir.File("out");

        var recording = await Pipeline().PrepareAsync(input, purify: false, output, CancellationToken.None);

        AssertTiles(recording, signal.Length);
        Assert.True(recording.IsSilent);
        Assert.All(recording.Chunks, c => Assert.Null(c.WavPath));
        Assert.Empty(Directory.GetFiles(output));
    }

    [Fact]
    public async Task PrepareAsync_MarksSilentChunksInLongSilence_AndStillTiles()
    {
        using var dir = new TempDir();
        var b = new TestSignalBuilder(100, seed: 6);
        b.AddBurstSequence(0.5, Enumerable.Range(0, 4).Select(_ => (2.5, 0.5)));
        b.AddBurstSequence(88, Enumerable.Range(0, 3).Select(_ => (2.5, 0.5)));
        b.AddWhiteNoise(-60);
        var input = dir.File("in.wav");
        TestSignalBuilder.WriteWav(input, b.Build());
        var options = new AudioOptions { MinChunkSeconds = 10, MaxChunkSeconds = 20 };

        var recording = await Pipeline(options).PrepareAsync(input, purify: false, dir.File("out"), CancellationToken.None);

        AssertTiles(recording, b.Length);
        Assert.False(recording.Chunks[0].IsSilent);
        Assert.False(recording.Chunks[^1].IsSilent);
        Assert.Contains(recording.Chunks, c => c.IsSilent);
        Assert.All(recording.Chunks, c => Assert.Equal(c.IsSilent, c.WavPath is null));
    }

    [Fact]
    public async Task PrepareAsync_PurifiesMp3_KeepingTimelineLength()
    {
        using var dir = new TempDir();
        var b = Conversation(45, seed: 9).AddPinkNoise(-34);
        var wav = dir.File("in.wav");
        TestSignalBuilder.WriteWav(wav, b.Build());
        var mp3 = dir.File("in.mp3");
        TestSignalBuilder.Ffmpeg("-i", wav, "-b:a", "64k", mp3);
        var stages = new List<string>();

        var recording = await Pipeline().PrepareAsync(mp3, purify: true, dir.File("out"), t => stages.Add(t.Stage), CancellationToken.None);

        Assert.True(recording.Purified);
        Assert.Equal("mp3", recording.FormatName);
        Assert.Equal(["decode", "purify", "split", "write"], stages);
        Assert.InRange(recording.SampleCount, b.Length - 800, b.Length + 800);
        AssertTiles(recording, recording.SampleCount);
        var chunkWav = TestSignalBuilder.ReadWav16(recording.Chunks[0].WavPath!);
        Assert.True(chunkWav.Max(v => Math.Abs((int)v)) <= 0.9 * 32768);
    }

    [Fact]
    public async Task PrepareAsync_ThrowsTypedErrors_AndCleansTemporaryFiles()
    {
        using var dir = new TempDir();
        var temp = Directory.CreateDirectory(dir.File("tmp")).FullName;
        var pipeline = Pipeline(new AudioOptions { TempDirectory = temp });
        var text = dir.File("notes.txt");
        await File.WriteAllTextAsync(text, "not audio at all");
        var empty = dir.File("empty.wav");
        await File.WriteAllBytesAsync(empty, []);

        var notAudio = await Assert.ThrowsAsync<NotAudioException>(() => pipeline.PrepareAsync(text, false, dir.File("out"), CancellationToken.None));
        Assert.StartsWith("not an audio file ffmpeg can read:", notAudio.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<EmptyAudioException>(() => pipeline.PrepareAsync(empty, false, dir.File("out"), CancellationToken.None));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PrepareAsync_GivesOneChunk_WhenRecordingIsVeryShort(bool purify)
    {
        using var dir = new TempDir();
        var signal = new TestSignalBuilder(0.3).AddBurst(0.02, 0.25).Build();
        var input = dir.File("short.wav");
        TestSignalBuilder.WriteWav(input, signal);

        var recording = await Pipeline().PrepareAsync(input, purify, dir.File("out"), CancellationToken.None);

        var chunk = Assert.Single(recording.Chunks);
        Assert.Equal((0L, (long)signal.Length), (chunk.StartSample, chunk.EndSample));
        Assert.False(chunk.IsSilent);
        Assert.Equal(signal.Length, TestSignalBuilder.ReadWav16(chunk.WavPath!).Length);
    }

    [Fact]
    public async Task PrepareAsync_StopsPromptly_WhenCancelled()
    {
        using var dir = new TempDir();
        var wav = dir.File("in.wav");
        TestSignalBuilder.WriteWav(wav, Conversation(20, seed: 2).Build());
        var mp3 = dir.File("in.mp3");
        TestSignalBuilder.Ffmpeg("-i", wav, mp3);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Pipeline().PrepareAsync(mp3, true, dir.File("out"), cts.Token));
    }

    [Theory]
    [InlineData(false, 1800)]
    [InlineData(true, 600)]
    public async Task ChunksAsync_GivesTheWholeFileChunks_OnALongRecording(bool purify, int seconds)
    {
        using var dir = new TempDir();
        var signal = Conversation(seconds, seed: 5).AddPinkNoise(-40).Build();
        var input = dir.File("in.wav");
        TestSignalBuilder.WriteWav(input, signal);
        var whole = await Pipeline().PrepareAsync(input, purify, dir.File("whole"), CancellationToken.None);

        var streamed = new List<PreparedChunk>();
        await using (var preparing = await Pipeline().OpenAsync(input, purify, dir.File("streamed"), null, CancellationToken.None))
        {
            Assert.Equal(whole.SampleCount, preparing.SampleCount);
            Assert.Equal(whole.DurationMs, preparing.DurationMs);
            await foreach (var chunk in preparing.ChunksAsync(CancellationToken.None))
            {
                streamed.Add(chunk);
            }
        }

        Assert.True(whole.Chunks.Count >= 10, $"expected many chunks, got {whole.Chunks.Count}");
        Assert.Equal(Describe(whole.Chunks), Describe(streamed));
        if (!purify)
        {
            // And the cuts are the whole-file planner's on the signal itself, measured apart from the pipeline.
            var plans = ChunkPlanner.Plan(SilenceDetector.Analyse(SilenceDetector.MeasureFrames(TestSignalBuilder.ToInt16(signal).Select(v => v / 32768f).ToArray()), signal.Length), new AudioOptions());
            Assert.Equal(plans.Select(p => (p.Range.Start, p.Range.End, p.IsSilent)), streamed.Select(c => (c.StartSample, c.EndSample, c.IsSilent)));
        }

        static string[] Describe(IEnumerable<PreparedChunk> chunks) => chunks.Select(c =>
            $"{c.Index} {c.StartSample}-{c.EndSample} silent={c.IsSilent} sent={c.CompactedDurationMs} map={string.Join(',', c.Map.Segments.Select(m => $"{m.CompactedStartMs}/{m.OriginalStartMs}/{m.LengthMs}"))} wav={(c.WavPath is null ? "-" : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(c.WavPath))))}").ToArray();
    }

    [Fact]
    public async Task ChunksAsync_HandsOutEachChunkBeforeCuttingTheNext_OnALongRecording()
    {
        using var dir = new TempDir();
        var input = dir.File("in.wav");
        TestSignalBuilder.WriteWav(input, Conversation(900, seed: 8).Build());
        var stages = new List<string>();
        var output = dir.File("out");

        await using var preparing = await Pipeline().OpenAsync(input, purify: false, output, t => stages.Add(t.Stage), CancellationToken.None);
        var seen = 0;
        await foreach (var chunk in preparing.ChunksAsync(CancellationToken.None))
        {
            // Only this chunk and those before it are written; the pipeline has not reached the end.
            Assert.True(File.Exists(chunk.WavPath), $"chunk {chunk.Index} is handed out before its WAV is written");
            Assert.Equal(chunk.Index + 1, Directory.GetFiles(output, "chunk_*.wav").Length);
            Assert.DoesNotContain("write", stages);
            seen++;
        }

        Assert.True(seen >= 10, $"expected many chunks, got {seen}");
        Assert.Equal(["decode", "split", "write"], stages);
    }
}
