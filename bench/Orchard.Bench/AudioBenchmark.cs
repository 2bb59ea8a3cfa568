using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchard.Bench.Audio;
using Orchard.Domain.Audio;

namespace Orchard.Bench;

/// <summary>
/// Audio pipeline benchmark. The parent generates inputs, measures floors, and runs each measured case in a fresh
/// child process (this executable, "audio" again, with ORCHARD_AUDIO_BENCH_CASE set) so each case's peak resident
/// memory is its own.
/// </summary>
internal static class AudioBenchmark
{
    private const string CaseVariable = "ORCHARD_AUDIO_BENCH_CASE";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static async Task RunAsync(string resultsFile)
    {
        var childCase = Environment.GetEnvironmentVariable(CaseVariable);
        if (!string.IsNullOrEmpty(childCase))
        {
            await RunChildAsync(JsonSerializer.Deserialize<ChildCase>(childCase)!, resultsFile);
            return;
        }

        var work = Path.Combine(Path.GetTempPath(), "orchard-audio-bench");
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }

        Directory.CreateDirectory(work);
        try
        {
            await RunParentAsync(work, resultsFile);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task RunParentAsync(string work, string resultsFile)
    {
        var wav60 = Path.Combine(work, "speech-60min.wav");
        var wav120 = Path.Combine(work, "speech-120min.wav");
        var mp330 = Path.Combine(work, "speech-30min.mp3");
        var noisy = Path.Combine(work, "noisy-2min.wav");
        Log("generating the 60-minute WAV");
        BenchSignal.WriteWav(wav60, 3600, seed: 1);
        Log("encoding the 30-minute 64 kbit/s MP3");
        await FfmpegAsync("-t", "1800", "-i", wav60, "-c:a", "libmp3lame", "-b:a", "64k", mp330);
        Log("generating the 2-hour WAV");
        BenchSignal.WriteWav(wav120, 7200, seed: 2);
        BenchSignal.WriteWav(noisy, 120, seed: 3, speechDb: -24, noiseDb: -34);

        Log("floors");
        var copy = Time(() => File.Copy(wav60, Path.Combine(work, "copy.wav"), overwrite: true));
        File.Delete(Path.Combine(work, "copy.wav"));
        var rawMp3 = await TimeAsync(() => FfmpegAsync("-i", mp330, "-ac", "1", "-ar", "16000", "-f", "s16le", Path.Combine(work, "mp3.raw")));
        File.Delete(Path.Combine(work, "mp3.raw"));
        var afftdn = await TimeAsync(() => FfmpegAsync("-i", mp330, "-af", "highpass=f=80,afftdn", "-f", "s16le", Path.Combine(work, "afftdn.raw")));
        File.Delete(Path.Combine(work, "afftdn.raw"));
        var baseline = await RunChildProcessAsync(new ChildCase("noop", "", false, work), work);

        Log("60-minute WAV, purifier off");
        var wavRuns = new List<ChildResult>();
        for (var i = 0; i < 3; i++)
        {
            wavRuns.Add(await RunChildProcessAsync(new ChildCase("prepare", wav60, false, work), work));
        }

        Log("30-minute MP3, purifier off");
        var mp3Run = await RunChildProcessAsync(new ChildCase("prepare", mp330, false, work), work);
        Log("30-minute MP3, purifier on");
        var mp3Purify = await RunChildProcessAsync(new ChildCase("prepare", mp330, true, work), work);
        Log("2-hour WAV, purifier on");
        var e2e = await RunChildProcessAsync(new ChildCase("prepare", wav120, true, work), work);
        Log("SNR gain of the purifier (pink noise at -34 dBFS under speech at -24 dBFS)");
        var snr = await RunChildProcessAsync(new ChildCase("snr", noisy, true, work), work);

        var best = wavRuns.OrderBy(r => r.TotalMs).First();
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine("# Audio pipeline benchmark");
        md.AppendLine();
        md.AppendLine(inv, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, Release.");
        md.AppendLine("Command: `dotnet run -c Release --project bench/Orchard.Bench -- audio`.");
        md.AppendLine("Inputs are generated: speech-like harmonic bursts of 2.2-4.3 s at about -24 dBFS, pauses 70% 0.3-1.5 s / 20% 1.5-3.5 s / 10% 3.5-6 s, pink noise at about -50 dBFS; the MP3 is the first 30 minutes at 64 kbit/s.");
        md.AppendLine("Each case runs in a fresh child process (after a 1-second warm-up file, as in a long-running host); wall time is `PrepareAsync` in-process, peak memory is the child's `PeakWorkingSet64` (VmHWM) after the stage, so it includes the .NET runtime baseline. Chunks are written to local disk (temp directory).");
        md.AppendLine("For a 16 kHz mono 16-bit WAV, `decode` is only the header parse (the file is the PCM); its one read of the samples is counted in `split` (frame levels). Stage peak RSS is the process peak up to the end of that stage.");
        md.AppendLine();
        md.AppendLine("| Case | Stage | Wall time | Peak RSS | Target | Met |");
        md.AppendLine("|---|---|---|---|---|---|");
        void Row(string c, string stage, double ms, double mb, string target, string met) =>
            md.AppendLine(inv, $"| {c} | {stage} | {ms / 1000:F3} s | {(mb > 0 ? mb.ToString("F0", inv) + " MB" : "-")} | {target} | {met} |");
        var wavOk = best.TotalMs < 300 && best.PeakMb < 100;
        foreach (var s in best.Stages)
        {
            Row("60-min WAV, purifier off", s.Name, s.Ms, s.PeakMb, "", "");
        }

        Row("60-min WAV, purifier off", "**total (best of 3)**", best.TotalMs, best.PeakMb, "< 0.3 s and < 100 MB (original: 0.87 s, 291 MB)", wavOk ? "yes" : "**no**");
        md.AppendLine(inv, $"| 60-min WAV, purifier off | all 3 runs | {string.Join(" / ", wavRuns.Select(r => (r.TotalMs / 1000).ToString("F3", inv)))} s | {string.Join(" / ", wavRuns.Select(r => r.PeakMb.ToString("F0", inv)))} MB | | |");
        foreach (var s in mp3Run.Stages)
        {
            Row("30-min MP3, purifier off", s.Name, s.Ms, s.PeakMb, "", "");
        }

        Row("30-min MP3, purifier off", "**total**", mp3Run.TotalMs, mp3Run.PeakMb, "original: 1.5 s, 292 MB", mp3Run.TotalMs < 1500 && mp3Run.PeakMb < 292 ? "better" : "**no**");
        foreach (var s in mp3Purify.Stages)
        {
            var purifyTarget = s.Name == "purify" ? "<= 6 s for 30 min (300x real time)" : "";
            var met = s.Name == "purify" ? (s.Ms <= 6000 ? $"yes ({1_800_000 / s.Ms:F0}x real time)" : $"**no** ({1_800_000 / s.Ms:F0}x)") : "";
            Row("30-min MP3, purifier on", s.Name, s.Ms, s.PeakMb, purifyTarget, met);
        }

        Row("30-min MP3, purifier on", "**total**", mp3Purify.TotalMs, mp3Purify.PeakMb, "", "");
        foreach (var s in e2e.Stages)
        {
            Row("2-hour WAV, all stages", s.Name, s.Ms, s.PeakMb, "", "");
        }

        Row("2-hour WAV, all stages", "**total**", e2e.TotalMs, e2e.PeakMb, "< 400 MB peak", e2e.PeakMb < 400 ? "yes" : "**no**");
        md.AppendLine(inv, $"| Purifier SNR gain | 2-min bursts over pink noise at -34 dBFS | {snr.SnrBeforeDb:F1} dB -> {snr.SnrAfterDb:F1} dB | | >= +6 dB | {(snr.SnrAfterDb - snr.SnrBeforeDb >= 6 ? "yes" : "**no**")} (+{snr.SnrAfterDb - snr.SnrBeforeDb:F1} dB) |");
        md.AppendLine();
        md.AppendLine("## Floors (same run)");
        md.AppendLine();
        md.AppendLine("| Floor | Wall time | Peak RSS |");
        md.AppendLine("|---|---|---|");
        md.AppendLine(inv, $"| Plain file copy of the 60-min WAV (115 MB) | {copy / 1000:F3} s | - |");
        md.AppendLine(inv, $"| `ffmpeg` decode of the 30-min MP3 to 16 kHz s16le | {rawMp3 / 1000:F3} s | - |");
        md.AppendLine(inv, $"| `ffmpeg -af highpass=f=80,afftdn` on the 30-min MP3 (reference purifier) | {afftdn / 1000:F3} s | - |");
        md.AppendLine(inv, $"| .NET child process doing nothing (runtime baseline) | - | {baseline.PeakMb:F0} MB |");
        md.AppendLine();
        md.AppendLine(inv, $"60-min WAV: {best.Chunks} chunks ({best.SilentChunks} silent). 30-min MP3: {mp3Run.Chunks} chunks. 2-hour purified: {e2e.Chunks} chunks, loudness gain {e2e.GainDb:F1} dB.");
        await File.WriteAllTextAsync(resultsFile, md.ToString());
        Console.WriteLine(md.ToString());
    }

    private static async Task RunChildAsync(ChildCase c, string resultFile)
    {
        var result = new ChildResult();
        if (c.Kind != "noop")
        {
            var pipeline = new AudioPipeline(Options.Create(new AudioOptions()), NullLogger<AudioPipeline>.Instance);
            var warm = Path.Combine(c.WorkDirectory, $"warm-{Environment.ProcessId}.wav");
            BenchSignal.WriteWav(warm, 1, seed: 9);
            var warmOut = Path.Combine(c.WorkDirectory, $"warm-out-{Environment.ProcessId}");
            await pipeline.PrepareAsync(warm, c.Purify, warmOut, CancellationToken.None);
            Directory.Delete(warmOut, true);
            File.Delete(warm);

            var output = Path.Combine(c.WorkDirectory, $"out-{Environment.ProcessId}");
            if (c.Kind == "snr")
            {
                // No compaction, so the chunks put together are the whole purified timeline.
                var options = new AudioOptions { CompactPauseLongerThanMs = 3_600_000 };
                pipeline = new AudioPipeline(Options.Create(options), NullLogger<AudioPipeline>.Instance);
            }

            var total = Stopwatch.StartNew();
            var recording = await pipeline.PrepareAsync(c.Input, c.Purify, output, t =>
            {
                using var self = Process.GetCurrentProcess();
                result.Stages.Add(new StageResult(t.Stage, t.Elapsed.TotalMilliseconds, self.PeakWorkingSet64 / 1048576.0));
            }, CancellationToken.None);
            result.TotalMs = total.Elapsed.TotalMilliseconds;
            result.Chunks = recording.Chunks.Count;
            result.SilentChunks = recording.Chunks.Count(x => x.IsSilent);
            result.GainDb = recording.PurifierGainDb;
            if (c.Kind == "snr")
            {
                (result.SnrBeforeDb, result.SnrAfterDb) = MeasureSnr(c.Input, recording);
            }

            Directory.Delete(output, true);
        }

        using (var self = Process.GetCurrentProcess())
        {
            result.PeakMb = self.PeakWorkingSet64 / 1048576.0;
        }

        await File.WriteAllTextAsync(resultFile, JsonSerializer.Serialize(result, Json));
    }

    /// <summary>SNR as (power in speech frames - power in pause frames) / power in pause frames, before and after.</summary>
    private static (double Before, double After) MeasureSnr(string input, PreparedRecording recording)
    {
        var original = BenchSignal.ReadWav(input);
        var purified = new float[original.Length];
        foreach (var chunk in recording.Chunks.Where(x => x.WavPath is not null))
        {
            BenchSignal.ReadWav(chunk.WavPath!).AsSpan().CopyTo(purified.AsSpan((int)chunk.StartSample));
        }

        // Speech/pause frames are taken from the known generator schedule, regenerated with the same seed.
        var bursts = BenchSignal.WriteWav(Path.Combine(Path.GetDirectoryName(input)!, $"schedule-{Environment.ProcessId}.wav"), original.Length / 16000.0, seed: 3, speechDb: -24, noiseDb: -34);
        File.Delete(Path.Combine(Path.GetDirectoryName(input)!, $"schedule-{Environment.ProcessId}.wav"));
        var inBurst = new bool[original.Length];
        foreach (var (s, e) in bursts)
        {
            for (var i = s + 1600; i < e - 1600; i++)
            {
                inBurst[i] = true;
            }
        }

        var inGap = new bool[original.Length];
        Array.Fill(inGap, true);
        foreach (var (s, e) in bursts)
        {
            for (var i = Math.Max(0, s - 1600); i < Math.Min(original.Length, e + 1600); i++)
            {
                inGap[i] = false;
            }
        }

        double Snr(float[] x)
        {
            double sp = 0, np = 0;
            long ns = 0, nn = 0;
            for (var i = 0; i < x.Length; i++)
            {
                if (inBurst[i])
                {
                    sp += x[i] * x[i];
                    ns++;
                }
                else if (inGap[i])
                {
                    np += x[i] * x[i];
                    nn++;
                }
            }

            var noise = np / nn;
            return 10 * Math.Log10(Math.Max(1e-15, (sp / ns) - noise) / noise);
        }

        return (Snr(original), Snr(purified));
    }

    private static async Task<ChildResult> RunChildProcessAsync(ChildCase c, string work)
    {
        var resultFile = Path.Combine(work, $"child-{Guid.NewGuid():N}.json");
        var processPath = Environment.ProcessPath!;
        var psi = new ProcessStartInfo(processPath) { UseShellExecute = false, RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            psi.ArgumentList.Add(typeof(AudioBenchmark).Assembly.Location);
        }

        psi.ArgumentList.Add("audio");
        psi.ArgumentList.Add(resultFile);
        psi.Environment[CaseVariable] = JsonSerializer.Serialize(c);
        using var process = Process.Start(psi)!;
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"benchmark child {c.Kind} {c.Input} failed with {process.ExitCode}");
        }

        var result = JsonSerializer.Deserialize<ChildResult>(await File.ReadAllTextAsync(resultFile))!;
        File.Delete(resultFile);
        Log(string.Create(CultureInfo.InvariantCulture, $"  {c.Kind} {Path.GetFileName(c.Input)} purify={c.Purify}: {result.TotalMs:F0} ms, peak {result.PeakMb:F0} MB"));
        return result;
    }

    private static async Task FfmpegAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("ffmpeg") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in new[] { "-nostdin", "-hide_banner", "-loglevel", "error", "-y" }.Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var err = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("ffmpeg failed: " + err);
        }
    }

    private static double Time(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalMilliseconds;
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var sw = Stopwatch.StartNew();
        await action();
        return sw.Elapsed.TotalMilliseconds;
    }

    private static void Log(string message) => Console.WriteLine(message);

    private sealed record ChildCase(string Kind, string Input, bool Purify, string WorkDirectory);

    private sealed record StageResult(string Name, double Ms, double PeakMb);

    private sealed class ChildResult
    {
        public List<StageResult> Stages { get; init; } = [];
        public double TotalMs { get; set; }
        public double PeakMb { get; set; }
        public int Chunks { get; set; }
        public int SilentChunks { get; set; }
        public double GainDb { get; set; }
        public double SnrBeforeDb { get; set; }
        public double SnrAfterDb { get; set; }
    }
}
