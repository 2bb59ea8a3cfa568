using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Orchard.Bench.Audio;
using Orchard.LocalHost;
using Orchard.Tests.Infrastructure;

namespace Orchard.Bench;

/// <summary>
/// Makespan of a 30-minute recording on the local host (real engine, real Redis and Azurite) with three fake
/// workers whose processing time is the audio received × 0.01, 0.02 and 0.04, one request at a time each; then the
/// same with the fastest worker dying right after its second answer. Reports each phase, the audio sent, the fluid
/// and longest-first bounds, and the orchestration overhead per chunk, beside the targets and the original master.
/// </summary>
internal static class MakespanBenchmark
{
    private static readonly double[] Ratios = [0.01, 0.02, 0.04];
    private static readonly TimeSpan JobLimit = TimeSpan.FromMinutes(5);

    public static async Task RunAsync(string resultsFile)
    {
        var redis = Environment.GetEnvironmentVariable("ORCHARD_TEST_REDIS") ?? throw new InvalidOperationException("Set ORCHARD_TEST_REDIS (scripts/services.sh up; source .ci/work/services.env).");
        var storage = Environment.GetEnvironmentVariable("ORCHARD_TEST_STORAGE") ?? throw new InvalidOperationException("Set ORCHARD_TEST_STORAGE.");
        var work = Directory.CreateTempSubdirectory("orchard-makespan-");
        try
        {
            var recording = Path.Combine(work.FullName, "lecture-30min.wav");
            BenchSignal.WriteWav(recording, 30 * 60, seed: 30);
            var report = new StringBuilder()
                .AppendLine("# Makespan benchmark (local host, real Durable engine on Azurite, Redis)").AppendLine()
                .AppendLine(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:u}, {Environment.ProcessorCount} cores. 30-minute 16 kHz WAV generated as in the audio benchmark (bursts 2.2–4.3 s; pauses 70% 0.3–1.5 s, 20% 1.5–3.5 s, 10% 3.5–6 s), purifier off.")
                .AppendLine("Three fake workers on loopback: processing time = received audio × 0.01, 0.02, 0.04 (175× real time together), one request at a time.")
                .AppendLine(await SettingsLineAsync(redis, storage)).AppendLine();

            var healthy = await RunOnceAsync(redis, storage, recording, killFastestAfter: null);
            Write(report, "All three workers", healthy, Ratios, totalTarget: 1.1 * 10.6, totalTargetText: "≤ 1.1 × 10.6 s (original master) = 11.7 s");
            var faulty = await RunOnceAsync(redis, storage, recording, killFastestAfter: 2);
            var survivors = Ratios[1..];
            var survivorBound = faulty.SentSeconds / survivors.Sum(r => 1 / r);
            Write(report, "Fastest worker dies after its second answer", faulty, survivors, totalTarget: 1.25 * survivorBound,
                totalTargetText: $"≤ 1.25 × fluid bound of the two survivors ({survivorBound:0.00} s) = {1.25 * survivorBound:0.00} s; every chunk transcribed (original: 26 of 31 chunks silently missing)");

            await File.WriteAllTextAsync(resultsFile, report.ToString());
            Console.Write(report);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static readonly Dictionary<string, string> HostSettings = new()
    {
        ["Audio__MinChunkSeconds"] = "30",
        ["Audio__MaxChunkSeconds"] = "180",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    /// <summary>Identity and plumbing of a run (where it stores, what it logs), not settings that move the figures.</summary>
    private static readonly string[] Plumbing =
        ["urls", "AzureWebJobsStorage", "State__RedisConnectionString", "State__KeyPrefix", "State__FallbackToMemory", "Storage__ContainerName", "DurableEngine__TaskHubName", "Logging__", "Timers__"];

    /// <summary>
    /// The settings the figures were measured with beyond production's: host.json holds production's durable settings,
    /// and the test host polls its queues faster than host.json says, which this line shows beside host.json's value.
    /// </summary>
    private static async Task<string> SettingsLineAsync(string redis, string storage)
    {
        var hostJson = HostJson.Load(HostJson.DefaultPath);
        await using var unstarted = LocalHostProcess.Create(redis, storage, HostSettings);
        var settings = unstarted.Settings
            .Where(s => !Plumbing.Any(p => s.Key.StartsWith(p, StringComparison.Ordinal)))
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s =>
            {
                var name = s.Key.Replace("__", ":", StringComparison.Ordinal);
                var inHostJson = s.Key.StartsWith("DurableEngine__", StringComparison.Ordinal)
                    ? $" (host.json, production: {hostJson.Durable.GetValueOrDefault(s.Key["DurableEngine__".Length..], "not set")})"
                    : string.Empty;
                return $"`{name}` = {s.Value}{inHostJson}";
            });
        return $"Settings set for this run (everything else as host.json and the defaults, i.e. production): {string.Join("; ", settings)}.";
    }

    private static async Task<Run> RunOnceAsync(string redis, string storage, string recording, int? killFastestAfter)
    {
        await using var host = LocalHostProcess.Create(redis, storage, HostSettings);
        await host.StartAsync();
        var workers = new List<FakeWorker>();
        try
        {
            for (var i = 0; i < Ratios.Length; i++)
            {
                workers.Add(await FakeWorker.StartAsync(Ratios[i], dieAfter: i == 0 ? killFastestAfter : null));
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            foreach (var w in workers)
            {
                using var added = await http.PostAsync($"{host.BaseUrl}/workers/add", new StringContent(JsonSerializer.Serialize(new { url = w.Url })));
                added.EnsureSuccessStatusCode();
            }

            var clock = Stopwatch.StartNew();
            string jobId;
            using (var form = new MultipartFormDataContent())
            {
                var file = new StreamContent(File.OpenRead(recording));
                file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
                form.Add(file, "file", "lecture-30min.wav");
                using var response = await http.PostAsync($"{host.BaseUrl}/jobs?purify=false", form);
                using var accepted = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                jobId = accepted.RootElement.GetProperty("job_id").GetString()!;
            }

            var uploaded = clock.Elapsed;
            var firstSeen = new Dictionary<string, TimeSpan>();
            JsonDocument? final = null;
            while (clock.Elapsed < JobLimit)
            {
                var job = JsonDocument.Parse(await http.GetStringAsync($"{host.BaseUrl}/jobs/{jobId}"));
                var status = job.RootElement.GetProperty("status").GetString()!;
                firstSeen.TryAdd(status, clock.Elapsed);
                if (status is "completed" or "failed")
                {
                    final = job;
                    break;
                }

                job.Dispose();
                await Task.Delay(10);
            }

            using var done = final ?? throw new TimeoutException($"job {jobId} did not finish within {JobLimit}");
            var chunks = done.RootElement.GetProperty("chunks").EnumerateArray()
                .Where(c => c.GetProperty("status").GetString() != "silent")
                .Select(c => new ChunkTiming(
                    c.GetProperty("sent_ms").GetDouble() / 1000,
                    c.TryGetProperty("worker_url", out var url) ? url.GetString() ?? string.Empty : string.Empty,
                    c.TryGetProperty("started_at", out var s) ? s.GetDateTimeOffset() : (DateTimeOffset?)null,
                    c.TryGetProperty("completed_at", out var e) ? e.GetDateTimeOffset() : (DateTimeOffset?)null,
                    c.GetProperty("status").GetString()!))
                .ToArray();
            var speedByUrl = workers.Select((w, i) => (w.Url.TrimEnd('/'), Ratios[i])).ToDictionary(x => x.Item1, x => x.Item2);
            return new Run(
                done.RootElement.GetProperty("status").GetString()!,
                clock.Elapsed,
                uploaded,
                firstSeen,
                chunks,
                done.RootElement.GetProperty("duration_ms").GetDouble() / 1000,
                speedByUrl);
        }
        finally
        {
            foreach (var w in workers)
            {
                await w.DisposeAsync();
            }
        }
    }

    private static void Write(StringBuilder report, string title, Run run, double[] ratios, double totalTarget, string totalTargetText)
    {
        var phase = (string from, string to) => run.FirstSeen.TryGetValue(from, out var a) && run.FirstSeen.TryGetValue(to, out var b) ? (b - a).TotalSeconds : double.NaN;
        var processing = phase("processing", "aggregating");
        var lpt = LongestFirst(run.Chunks.Select(c => c.SentSeconds), ratios);
        var fluid = run.SentSeconds / ratios.Sum(r => 1 / r);
        var overhead = OverheadPerChunk(run);
        var transcribed = run.Chunks.Count(c => c.Status == "completed");
        report.AppendLine(CultureInfo.InvariantCulture, $"## {title}").AppendLine()
            .AppendLine("| measure | Orchard | target | original master |")
            .AppendLine("|---|---:|---|---:|")
            .AppendLine(CultureInfo.InvariantCulture, $"| job status, chunks transcribed | {run.Status}, {transcribed} of {run.Chunks.Length} | completed, all | completed, all (healthy) / 5 of 31 (faulty) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| total, upload to completed | {run.Total.TotalSeconds:0.00} s | {totalTargetText} | 10.6 s (15.5 s with its 5 s purifier) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| upload (POST /jobs answered) | {run.Uploaded.TotalSeconds:0.00} s | | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| purify + split (to processing) | {(run.FirstSeen.GetValueOrDefault("processing") - run.Uploaded).TotalSeconds:0.00} s | | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| processing phase | {processing:0.00} s | ≤ 1.15 × longest-first bound = {1.15 * lpt:0.00} s | 9.3 s |")
            .AppendLine(CultureInfo.InvariantCulture, $"| aggregating | {phase("aggregating", "completed"):0.00} s | | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| audio sent to workers | {run.SentSeconds:0} s of {run.DurationSeconds:0} s | | 1,586 s of 1,806 s |")
            .AppendLine(CultureInfo.InvariantCulture, $"| fluid lower bound (sent ÷ combined speed) | {fluid:0.00} s | | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| longest-first bound on these chunks | {lpt:0.00} s | | 9.2 s |")
            .AppendLine(CultureInfo.InvariantCulture, $"| orchestration overhead per chunk | {overhead * 1000:0} ms | < 100 ms | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| total within target | {(run.Total.TotalSeconds <= totalTarget ? "yes" : "NO")} | | |")
            .AppendLine();
    }

    /// <summary>Longest chunk first, each to the worker that would finish it earliest.</summary>
    private static double LongestFirst(IEnumerable<double> chunkSeconds, double[] ratios)
    {
        var free = new double[ratios.Length];
        foreach (var seconds in chunkSeconds.OrderByDescending(s => s))
        {
            var best = Enumerable.Range(0, ratios.Length).MinBy(i => free[i] + (seconds * ratios[i]));
            free[best] += seconds * ratios[best];
        }

        return free.Max();
    }

    /// <summary>
    /// Per worker: time from claiming a chunk to recording its result, minus the worker's own processing time,
    /// plus the idle gap before its next claim; summed over workers and divided by the chunks.
    /// </summary>
    private static double OverheadPerChunk(Run run)
    {
        double total = 0;
        var counted = 0;
        foreach (var group in run.Chunks.Where(c => c.Status == "completed" && c.StartedAt is not null && c.CompletedAt is not null).GroupBy(c => c.WorkerUrl))
        {
            var ratio = run.RatioByUrl.GetValueOrDefault(group.Key, double.NaN);
            var ordered = group.OrderBy(c => c.StartedAt).ToArray();
            for (var i = 0; i < ordered.Length; i++)
            {
                total += (ordered[i].CompletedAt!.Value - ordered[i].StartedAt!.Value).TotalSeconds - (ordered[i].SentSeconds * ratio);
                if (i > 0)
                {
                    total += Math.Max(0, (ordered[i].StartedAt!.Value - ordered[i - 1].CompletedAt!.Value).TotalSeconds);
                }

                counted++;
            }
        }

        return counted == 0 ? double.NaN : total / counted;
    }

    private sealed record ChunkTiming(double SentSeconds, string WorkerUrl, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, string Status);

    private sealed record Run(string Status, TimeSpan Total, TimeSpan Uploaded, Dictionary<string, TimeSpan> FirstSeen, ChunkTiming[] Chunks, double DurationSeconds, Dictionary<string, double> RatioByUrl)
    {
        public double SentSeconds => Chunks.Sum(c => c.SentSeconds);
    }
}
