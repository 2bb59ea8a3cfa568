using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchard.Domain.Audio;

namespace Orchard.Tests.Audio;

/// <summary>End-to-end checks on real synthetic speech (espeak-ng), which has soft onsets and short word gaps.</summary>
public class EspeakSpeechTests
{
    private static readonly string[] Sentences =
    [
        "The quarterly report shows that revenue grew in every region.",
        "However, costs rose as well, mostly because of new hiring.",
        "We expect the second half of the year to be calmer.",
        "Please send your questions to the finance team before Friday.",
        "Thank you all for joining the call this morning.",
        "Next week we will review the product roadmap together.",
    ];

    private static string Espeak(TempDir dir, string text, int index)
    {
        var path = dir.File($"s{index}.wav");
        var psi = new ProcessStartInfo("espeak-ng") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in new[] { "-w", path, text })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        Assert.True(p.WaitForExit(30_000));
        Assert.Equal(0, p.ExitCode);
        return path;
    }

    private static float[] To16k(TempDir dir, string wav)
    {
        var raw = wav + ".raw";
        TestSignalBuilder.Ffmpeg("-i", wav, "-ar", "16000", "-ac", "1", "-f", "s16le", raw);
        var bytes = File.ReadAllBytes(raw);
        var samples = new float[bytes.Length / 2];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = BitConverter.ToInt16(bytes, i * 2) / 32768f;
        }

        return samples;
    }

    [Fact]
    public async Task PrepareAsync_CutsOnlyBetweenSentences_EspeakSpeechUnderNoise()
    {
        using var dir = new TempDir();
        var pauses = new[] { 1.5, 0.9, 3.0, 1.2, 2.2, 0.8 };
        var timeline = new List<float>();
        var speechSpans = new List<(long Start, long End)>();
        var noise = new Random(3);
        for (var i = 0; i < Sentences.Length * 2; i++)
        {
            timeline.AddRange(new float[(int)(pauses[i % pauses.Length] * 16000)]);
            var sentence = To16k(dir, Espeak(dir, Sentences[i % Sentences.Length], i));
            var first = Array.FindIndex(sentence, v => Math.Abs(v) > 0.01f);
            var last = Array.FindLastIndex(sentence, v => Math.Abs(v) > 0.01f);
            speechSpans.Add((timeline.Count + first, timeline.Count + last));
            timeline.AddRange(sentence);
        }

        var signal = timeline.Select(v => v + (float)((noise.NextDouble() - 0.5) * 0.02)).ToArray(); // white noise near -45 dBFS
        var input = dir.File("speech.wav");
        TestSignalBuilder.WriteWav(input, signal);
        var pipeline = new AudioPipeline(Options.Create(new AudioOptions { MinChunkSeconds = 8, MaxChunkSeconds = 20 }), NullLogger<AudioPipeline>.Instance);

        var recording = await pipeline.PrepareAsync(input, purify: false, dir.File("out"), CancellationToken.None);

        Assert.True(recording.Chunks.Count >= 3, $"{recording.Chunks.Count} chunks");
        Assert.All(recording.Chunks, c => Assert.False(c.IsSilent));
        foreach (var c in recording.Chunks.Skip(1))
        {
            Assert.DoesNotContain(speechSpans, s => s.Start <= c.StartSample && c.StartSample <= s.End);
        }

        // Every sentence's first loud sample, found in the compacted WAV, maps back within 10 ms.
        var samples16 = TestSignalBuilder.ToInt16(signal);
        foreach (var c in recording.Chunks)
        {
            var wav = TestSignalBuilder.ReadWav16(c.WavPath!);
            foreach (var span in speechSpans.Where(s => s.Start >= c.StartSample && s.Start < c.EndSample))
            {
                var needle = samples16.AsSpan((int)span.Start, 64);
                var at = wav.AsSpan().IndexOf(needle);
                Assert.True(at >= 0);
                Assert.InRange(c.Map.ToOriginalMs(at / 16.0) - (span.Start / 16.0), -10, 10);
            }
        }
    }

    [Fact]
    public async Task DecodeAsync_MatchesFfmpegResampling_EspeakWavAt22050Hz()
    {
        using var dir = new TempDir();
        var wav = Espeak(dir, Sentences[0], 0);
        var reference = To16k(dir, wav);
        var decoded = await AudioDecoder.DecodeAsync(wav, dir.Path, new AudioOptions(), CancellationToken.None);
        using var pcm = decoded.Pcm;
        Assert.True(decoded.InProcess);
        var ours = new float[pcm.SampleCount];
        pcm.Read(0, ours);
        Assert.InRange(ours.Length, reference.Length - 2, reference.Length + 2);
        double err = 0, sig = 0;
        for (var i = 0; i < Math.Min(ours.Length, reference.Length); i++)
        {
            err += (ours[i] - reference[i]) * (ours[i] - reference[i]);
            sig += reference[i] * reference[i];
        }

        Assert.True(10 * Math.Log10(err / sig) < -30, $"difference {10 * Math.Log10(err / sig):F1} dB");
    }
}
