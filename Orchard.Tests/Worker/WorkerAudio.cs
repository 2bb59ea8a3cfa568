using System.Diagnostics;
using Orchard.Tests.Audio;
using Orchard.Worker.Audio;

namespace Orchard.Tests.Worker;

/// <summary>Audio for the worker tests: silence, tones and real synthetic speech from espeak-ng.</summary>
public static class WorkerAudio
{
    /// <summary>A canonical 16 kHz mono 16-bit WAV of <paramref name="seconds"/> of a quiet tone.</summary>
    public static byte[] Wav16k(double seconds)
    {
        var count = (int)(seconds * WavFile.SampleRate);
        using var stream = new MemoryStream();
        WavFile.WriteHeader(stream, count * 2L);
        for (var i = 0; i < count; i++)
        {
            var v = (short)(3000 * Math.Sin(2 * Math.PI * 440 * i / WavFile.SampleRate));
            stream.WriteByte((byte)v);
            stream.WriteByte((byte)(v >> 8));
        }

        return stream.ToArray();
    }

    /// <summary>
    /// espeak-ng speaking <paramref name="sentences"/> with <paramref name="pauseSeconds"/> of silence between them,
    /// as espeak-ng writes it (22050 Hz mono), so the worker has to convert it.
    /// </summary>
    public static string Speech(TempDir dir, double pauseSeconds, params string[] sentences)
    {
        var parts = new List<string>();
        for (var i = 0; i < sentences.Length; i++)
        {
            var part = dir.File($"sentence{i}.wav");
            Run("espeak-ng", "-w", part, sentences[i]);
            parts.Add(part);
        }

        var output = dir.File("speech.wav");
        var args = new List<string>();
        foreach (var part in parts)
        {
            args.AddRange(["-i", part]);
        }

        // Each sentence but the last is padded with silence, then all are joined.
        var pad = pauseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var padded = Enumerable.Range(0, parts.Count - 1).Select(i => $"[{i}:a]apad=pad_dur={pad}[q{i}]");
        var labels = string.Concat(Enumerable.Range(0, parts.Count).Select(i => i < parts.Count - 1 ? $"[q{i}]" : $"[{i}:a]"));
        var filter = string.Join(';', padded.Append($"{labels}concat=n={parts.Count}:v=0:a=1"));
        args.AddRange(["-filter_complex", filter, output]);
        TestSignalBuilder.Ffmpeg([.. args]);
        return output;
    }

    private static void Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), $"{program} did not finish");
        Assert.True(process.ExitCode == 0, $"{program} failed: {error}");
    }
}
