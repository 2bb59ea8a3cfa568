using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Orchard.Bench.Audio;
using Orchard.Domain.Dispatch;
using Orchard.LocalHost;
using Orchard.Tests.Infrastructure;

namespace Orchard.Bench;

/// <summary>
/// Makespan of a 30-minute recording on the local host (real engine, real Redis and Azurite) with three fake workers
/// whose processing time is the audio received × 0.01, 0.02 and 0.04, one chunk at a time each: pull workers (the
/// worker protocol over loopback) and push workers (added by URL, served by the push pump) side by side; the fastest
/// dying after its second answer; the fastest hanging on its third chunk while renewing (hedging); and 200 idle pull
/// workers long-polling. Every figure is printed beside its target and the floor it is measured against, both from
/// the same run.
/// </summary>
internal static partial class MakespanBenchmark
{
    private static readonly double[] Ratios = [0.01, 0.02, 0.04];
    private static readonly TimeSpan JobLimit = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Settings of every makespan run beyond the test host's (LocalHostProcess.Create): chunks as production's, and
    /// Dispatch:TimeoutFloor back at production's 20 s (the test host shortens it to 5 s, which would revoke a hung
    /// lease before hedging could be seen).
    /// </summary>
    private static readonly Dictionary<string, string> HostSettings = new()
    {
        ["Audio__MinChunkSeconds"] = "30",
        ["Audio__MaxChunkSeconds"] = "180",
        ["Dispatch__TimeoutFloor"] = "00:00:20",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    private enum Fleet
    {
        Pull,
        Push,
    }

    private enum Fault
    {
        None,
        Dies,
        Hangs,
    }

    public static async Task RunAsync(string resultsFile)
    {
        var redis = Environment.GetEnvironmentVariable("ORCHARD_TEST_REDIS") ?? throw new InvalidOperationException("Set ORCHARD_TEST_REDIS (scripts/services.sh up; source .ci/work/services.env).");
        var storage = Environment.GetEnvironmentVariable("ORCHARD_TEST_STORAGE") ?? throw new InvalidOperationException("Set ORCHARD_TEST_STORAGE.");
        var work = Directory.CreateTempSubdirectory("orchard-makespan-");
        var whole = Stopwatch.StartNew();
        try
        {
            var recording = Path.Combine(work.FullName, "lecture-30min.wav");
            BenchSignal.WriteWav(recording, 30 * 60, seed: 30);
            var loadBefore = LoadAverage();
            var productionPolling = HostJson.Load(HostJson.DefaultPath).Durable.GetValueOrDefault("MaxQueuePollingInterval", "00:00:01");

            // Interleaved, so load from the machine's other users falls on pull and push alike.
            var pull = await RunCaseAsync(redis, storage, recording, Fleet.Pull, Fault.None);
            var push = await RunCaseAsync(redis, storage, recording, Fleet.Push, Fault.None);
            var pullDies = await RunCaseAsync(redis, storage, recording, Fleet.Pull, Fault.Dies);
            var pushDies = await RunCaseAsync(redis, storage, recording, Fleet.Push, Fault.Dies);
            var pullHangs = await RunCaseAsync(redis, storage, recording, Fleet.Pull, Fault.Hangs);
            var pullSlowPolling = await RunCaseAsync(redis, storage, recording, Fleet.Pull, Fault.None,
                new Dictionary<string, string> { ["DurableEngine__MaxQueuePollingInterval"] = productionPolling });
            var idle = await IdleFleetAsync(redis, storage, recording);
            var loadAfter = LoadAverage();

            var report = new StringBuilder()
                .AppendLine("# Makespan benchmark (local host, real Durable engine on Azurite, Redis)").AppendLine()
                .AppendLine(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:u}, {Environment.ProcessorCount} cores shared with other users: load average (1/5/15 min) {loadBefore} before, {loadAfter} after; the whole run took {whole.Elapsed.TotalMinutes:0.0} min.")
                .AppendLine("30-minute 16 kHz WAV generated as in the audio benchmark (bursts 2.2–4.3 s; pauses 70% 0.3–1.5 s, 20% 1.5–3.5 s, 10% 3.5–6 s), purifier off.")
                .AppendLine("Three fake workers on loopback: processing time = received audio × 0.01, 0.02, 0.04 (175× real time together), one chunk at a time each.")
                .AppendLine("- **pull**: the tests' fake pull workers (`Orchard.Tests/Infrastructure/FakePullWorker.cs`, linked into the bench) speaking docs/worker-protocol.md over HTTP: register without a URL, long-poll `POST /workers/{id}/lease` (25 s), download `audio_url`, renew every `renew_every_seconds` while \"processing\", `POST /leases/{id}/result`.")
                .AppendLine("- **push**: the tests' `FakeWorker` (`POST /transcribe`), added with `POST /workers/add` and served by the push pump.")
                .AppendLine("- Every case runs on a fresh local host (own task hub, Redis prefix, container); the fluid and longest-first floors come from that case's own chunks.")
                .AppendLine()
                .AppendLine(await SettingsLineAsync(redis, storage, productionPolling)).AppendLine()
                .AppendLine(DispatchLine()).AppendLine();

            WriteTargets(report, pull, pullDies, pullHangs, push, pushDies, pullSlowPolling, productionPolling, idle);
            WriteCase(report, "Healthy fleet", [("pull", pull), ("push", push)], Ratios);
            WriteCase(report, "Fastest worker dies after its 2nd answer", [("pull", pullDies), ("push", pushDies)], Ratios[1..]);
            WriteCase(report, "Fastest worker keeps renewing but never answers its 3rd chunk (hedging)", [("pull", pullHangs)], Ratios[1..]);
            WriteCase(report, $"Healthy fleet, production queue polling ({productionPolling})", [("pull", pullSlowPolling)], Ratios);
            WriteIdle(report, idle);
            WriteNotes(report);

            await File.WriteAllTextAsync(resultsFile, report.ToString());
            Console.Write(report);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Identity and plumbing of a run (where it stores, what it logs), not settings that move the figures.</summary>
    private static readonly string[] Plumbing =
        ["urls", "AzureWebJobsStorage", "State__RedisConnectionString", "State__KeyPrefix", "State__FallbackToMemory", "Storage__ContainerName", "DurableEngine__TaskHubName", "Logging__", "Timers__"];

    /// <summary>
    /// The settings the figures were measured with beyond production's: host.json holds production's durable settings,
    /// and the test host polls its queues faster than host.json says, which this line shows beside host.json's value.
    /// </summary>
    private static async Task<string> SettingsLineAsync(string redis, string storage, string productionPolling)
    {
        await using var unstarted = LocalHostProcess.Create(redis, storage, HostSettings);
        var settings = unstarted.Settings
            .Where(s => !Plumbing.Any(p => s.Key.StartsWith(p, StringComparison.Ordinal)))
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s =>
            {
                var name = s.Key.Replace("__", ":", StringComparison.Ordinal);
                var note = s.Key switch
                {
                    "DurableEngine__MaxQueuePollingInterval" => $" (the orchestration and activity queue polling interval; host.json, production: {productionPolling})",
                    "Dispatch__TimeoutFloor" => " (production's default)",
                    _ => string.Empty,
                };
                return $"`{name}` = {s.Value}{note}";
            });
        return $"Settings set for these runs (everything else as host.json and the defaults, i.e. production): {string.Join("; ", settings)}.";
    }

    /// <summary>Every Dispatch setting the runs used (all production defaults unless listed in the line above).</summary>
    private static string DispatchLine()
    {
        var o = new DispatchOptions { TimeoutFloor = TimeSpan.Parse(HostSettings["Dispatch__TimeoutFloor"], CultureInfo.InvariantCulture) };
        return "Dispatch settings in effect: " + string.Join("; ", new[]
        {
            $"`LeaseTtl` = {o.LeaseTtl.TotalSeconds:0} s", $"`RenewEvery` = {o.RenewEvery.TotalSeconds:0} s",
            $"`OverdueFloor` = {o.OverdueFloor.TotalSeconds:0} s", $"`OverdueFactor` = {o.OverdueFactor:0.#}",
            $"`Hedging` = {o.Hedging}", $"`ReviewInterval` = {o.ReviewInterval.TotalSeconds:0} s",
            $"`TimeoutFloor` = {o.TimeoutFloor.TotalSeconds:0} s", $"`SafetyFactor` = {o.SafetyFactor:0.#}", $"`MaxAttempts` = {o.MaxAttempts}",
            $"`UnmeasuredSpeedRatio` = {o.UnmeasuredSpeedRatio:0.##}", $"`MaxLeaseWait` = {o.MaxLeaseWait.TotalSeconds:0} s", $"`MaxPushes` = {o.MaxPushes}",
            $"`EventsPerGeneration` = {o.EventsPerGeneration}",
        }) + ". A lease is overdue (a hedge candidate) at OverdueFloor + OverdueFactor × expected, i.e. about 6.2 s after the 0.01 worker leases a 60 s chunk; it times out at TimeoutFloor + SafetyFactor × expected (about 22.4 s).";
    }

    private static async Task<Run> RunCaseAsync(string redis, string storage, string recording, Fleet fleet, Fault fault, IDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>(HostSettings);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        var load = LoadAverage();
        await using var host = LocalHostProcess.Create(redis, storage, settings);
        await host.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var pullWorkers = new List<FakePullWorker>();
        var pushWorkers = new List<FakeWorker>();
        var ratioById = new Dictionary<string, double>(StringComparer.Ordinal);
        try
        {
            for (var i = 0; i < Ratios.Length; i++)
            {
                var faulty = i == 0 ? fault : Fault.None;
                if (fleet == Fleet.Pull)
                {
                    // The faulty one misbehaves on its 3rd lease (after its 2nd answer) and takes nothing more.
                    var worker = new FakePullWorker(new Uri(host.BaseUrl), http)
                    {
                        Name = $"fake-pull-{Ratios[i].ToString(CultureInfo.InvariantCulture)}",
                        SpeedRatio = Ratios[i],
                        WaitSeconds = 25,
                        Lifetime = JobLimit + TimeSpan.FromMinutes(2),
                        Misbehavior = faulty switch
                        {
                            Fault.Dies => PullMisbehavior.Die,
                            Fault.Hangs => PullMisbehavior.Hang,
                            _ => PullMisbehavior.None,
                        },
                        MisbehavesOn = n => n == 3,
                        StopsAfterMisbehaving = true,
                    };
                    await worker.RegisterAsync();
                    worker.Start();
                    pullWorkers.Add(worker);
                    ratioById[worker.Id] = Ratios[i];
                }
                else
                {
                    if (faulty == Fault.Hangs)
                    {
                        throw new NotSupportedException("FakeWorker cannot hang while the pump renews; the hedging case runs with pull workers.");
                    }

                    var worker = await FakeWorker.StartAsync(Ratios[i], dieAfter: faulty == Fault.Dies ? 2 : null);
                    pushWorkers.Add(worker);
                    using var added = await http.PostAsync($"{host.BaseUrl}/workers/add", new StringContent(JsonSerializer.Serialize(new { url = worker.Url })));
                    added.EnsureSuccessStatusCode();
                    using var body = JsonDocument.Parse(await added.Content.ReadAsStringAsync());
                    ratioById[body.RootElement.GetProperty("id").GetString()!] = Ratios[i];
                }
            }

            var uploadStartedAt = DateTimeOffset.UtcNow;
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
            for (var poll = 0; poll < 100_000 && clock.Elapsed < JobLimit; poll++)
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

            var total = clock.Elapsed;
            using var done = final ?? throw new TimeoutException($"job {jobId} did not finish within {JobLimit}");
            var chunks = done.RootElement.GetProperty("chunks").EnumerateArray()
                .Where(c => c.GetProperty("status").GetString() != "silent")
                .Select(c => new ChunkTiming(
                    c.GetProperty("sent_ms").GetDouble() / 1000,
                    c.TryGetProperty("worker_id", out var id) ? id.GetString() ?? string.Empty : string.Empty,
                    c.TryGetProperty("started_at", out var s) && s.ValueKind == JsonValueKind.String ? s.GetDateTimeOffset() : null,
                    c.TryGetProperty("completed_at", out var e) && e.ValueKind == JsonValueKind.String ? e.GetDateTimeOffset() : null,
                    c.GetProperty("status").GetString()!,
                    c.TryGetProperty("attempts", out var a) ? a.GetInt32() : 0))
                .ToArray();
            return new Run(
                fleet,
                fault,
                done.RootElement.GetProperty("status").GetString()!,
                total,
                uploaded,
                uploadStartedAt,
                firstSeen,
                chunks,
                done.RootElement.GetProperty("duration_ms").GetDouble() / 1000,
                ratioById,
                [.. pullWorkers.SelectMany(w => w.Timings)],
                pullWorkers.Sum(w => w.Cancellations.Count),
                load);
        }
        finally
        {
            foreach (var w in pullWorkers)
            {
                await w.DisposeAsync();
            }

            foreach (var w in pushWorkers)
            {
                await w.DisposeAsync();
            }
        }
    }

    private static void WriteTargets(StringBuilder report, Run pull, Run pullDies, Run pullHangs, Run push, Run pushDies, Run pullSlowPolling, string productionPolling, IdleRun idle)
    {
        report.AppendLine("## Targets (issue 10) beside the measured figures").AppendLine()
            .AppendLine("Fluid bound = audio sent ÷ combined speed of the workers counted (sent × 1 / Σ 1/ratio), from the same case's chunks. Processing = first lease → last answer (master's chunk records); total = upload start → `completed` seen by polling `GET /jobs/{id}` every 10 ms.").AppendLine()
            .AppendLine("| case | measured | ratio to floor | target | floor (same run) | met |")
            .AppendLine("|---|---:|---:|---|---:|---|");
        Row(report, "Processing phase, pull", pull.Processing, pull.Fluid(Ratios), 1.1, "fluid bound, 3 workers");
        Row(report, "Total, upload → completed, pull", pull.Total.TotalSeconds, pull.Fluid(Ratios), 1.2, "fluid bound, 3 workers");
        Row(report, "Fastest dies after its 2nd answer, pull: processing", pullDies.Processing, pullDies.Fluid(Ratios[1..]), 1.15, "fluid bound, 2 survivors");
        Row(report, "Fastest dies after its 2nd answer, pull: total", pullDies.Total.TotalSeconds, pullDies.Fluid(Ratios[1..]), 1.15, "fluid bound, 2 survivors");
        Row(report, "Fastest renews but never answers its 3rd chunk, pull: processing", pullHangs.Processing, pullHangs.Fluid(Ratios[1..]), 1.25, "fluid bound, other 2");
        Row(report, "Fastest renews but never answers its 3rd chunk, pull: total", pullHangs.Total.TotalSeconds, pullHangs.Fluid(Ratios[1..]), 1.25, "fluid bound, other 2");
        OverheadRow(report, "Orchestration overhead per chunk, pull, queue polling 50 ms", pull);
        OverheadRow(report, $"Orchestration overhead per chunk, pull, queue polling {productionPolling} (production)", pullSlowPolling);
        report
            .AppendLine(CultureInfo.InvariantCulture, $"| Master killed with kill -9 mid-job, restarted | not measured here | | progress within 60 s of the restart | | covered by the crash tests, not this benchmark |")
            .AppendLine(CultureInfo.InvariantCulture, $"| 200 idle pull workers long-polling: master CPU | {idle.IdleCpuPercent:0.0}% of one core ({idle.IdleCpuSeconds:0.00} s CPU in {idle.IdleWindow.TotalSeconds:0} s) | | measure | {idle.Floor.CpuSeconds / idle.Floor.Window.TotalSeconds * 100:0.0}% (same host, no worker) | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| 200 idle pull workers: Redis operations per second | {idle.IdleOpsPerSecond:0} (total_commands_processed delta; instantaneous_ops_per_sec {idle.IdleInstantaneousOps}) | | measure | {idle.Floor.OpsPerSecond:0} (same host, no worker) | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| 200 idle pull workers: lease call that finds work, p99 | {Percentile(idle.FoundLeaseMs, 0.99):0} ms (p50 {Percentile(idle.FoundLeaseMs, 0.5):0} ms, max {idle.FoundLeaseMs.DefaultIfEmpty(double.NaN).Max():0} ms, n = {idle.FoundLeaseMs.Count}) | | measure | | |")
            .AppendLine()
            .AppendLine("Push, for comparison against the same targets (not the issue's targets for push):").AppendLine()
            .AppendLine("| case | measured | ratio to floor | target | floor (same run) | met |")
            .AppendLine("|---|---:|---:|---|---:|---|");
        Row(report, "Processing phase, push", push.Processing, push.Fluid(Ratios), 1.1, "fluid bound, 3 workers");
        Row(report, "Total, upload → completed, push", push.Total.TotalSeconds, push.Fluid(Ratios), 1.2, "fluid bound, 3 workers");
        Row(report, "Fastest dies after its 2nd answer, push: processing", pushDies.Processing, pushDies.Fluid(Ratios[1..]), 1.15, "fluid bound, 2 survivors");
        Row(report, "Fastest dies after its 2nd answer, push: total", pushDies.Total.TotalSeconds, pushDies.Fluid(Ratios[1..]), 1.15, "fluid bound, 2 survivors");
        OverheadRow(report, "Orchestration overhead per chunk, push, queue polling 50 ms", push);
        report.AppendLine();
    }

    private static void Row(StringBuilder report, string name, double measured, double floor, double factor, string floorName)
    {
        var target = factor * floor;
        var met = measured <= target ? "yes" : $"**NO**, by {measured - target:0.00} s ({(measured / target - 1) * 100:0}% over)";
        report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {measured:0.00} s | {measured / floor:0.00}× | ≤ {factor:0.##}× = {target:0.00} s | {floor:0.00} s ({floorName}) | {met} |");
    }

    private static void OverheadRow(StringBuilder report, string name, Run run)
    {
        var overhead = OverheadPerChunk(run) * 1000;
        var met = overhead < 50 ? "yes" : $"**NO**, by {overhead - 50:0} ms";
        report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {overhead:0} ms | | < 50 ms | 0 | {met} |");
    }

    private static void WriteCase(StringBuilder report, string title, (string Name, Run Run)[] runs, double[] ratios)
    {
        report.AppendLine(CultureInfo.InvariantCulture, $"## {title}").AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"| measure | {string.Join(" | ", runs.Select(r => r.Name))} |")
            .AppendLine(CultureInfo.InvariantCulture, $"|---|{string.Concat(runs.Select(_ => "---:|"))}");
        void Line(string measure, Func<Run, string> value) =>
            report.AppendLine(CultureInfo.InvariantCulture, $"| {measure} | {string.Join(" | ", runs.Select(r => value(r.Run)))} |");
        Line("job status, chunks transcribed", r => $"{r.Status}, {r.Chunks.Count(c => c.Status == "completed")} of {r.Chunks.Length}");
        Line("chunks leased more than once (attempts > 1)", r => $"{r.Chunks.Count(c => c.Attempts > 1)}");
        Line("total, upload → completed", r => $"{r.Total.TotalSeconds:0.00} s ({r.Total.TotalSeconds / r.Fluid(ratios):0.00}× fluid)");
        Line("upload (POST /jobs answered)", r => $"{r.Uploaded.TotalSeconds:0.00} s");
        Line("first chunk leased, from upload start", r => $"{r.FirstLeaseSeconds:0.00} s");
        Line("status `processing` seen (split done)", r => $"{r.FirstSeen.GetValueOrDefault("processing").TotalSeconds:0.00} s");
        Line("processing, first lease → last answer", r => $"{r.Processing:0.00} s ({r.Processing / r.Fluid(ratios):0.00}× fluid)");
        Line("last answer → `completed` seen", r => $"{r.Total.TotalSeconds - r.LastAnswerSeconds:0.00} s");
        Line("audio sent to workers", r => $"{r.SentSeconds:0} s of {r.DurationSeconds:0} s");
        Line($"fluid bound ({string.Join(", ", ratios)})", r => $"{r.Fluid(ratios):0.00} s");
        Line("longest-first bound on these chunks", r => $"{LongestFirst(r.Chunks.Select(c => c.SentSeconds), ratios):0.00} s");
        Line("orchestration overhead per chunk (master clock)", r => $"{OverheadPerChunk(r) * 1000:0} ms");
        Line("pull worker's view: lease call with work waiting, mean", r => r.Fleet == Fleet.Pull ? $"{Mean(r.PullChunks.Where(c => c.IdleBeforeMs < 5000).Select(c => c.LeaseCallMs)):0} ms" : "–");
        Line("pull worker's view: audio download, mean", r => r.Fleet == Fleet.Pull ? $"{Mean(r.PullChunks.Select(c => c.DownloadMs)):0} ms" : "–");
        Line("pull worker's view: result call, mean", r => r.Fleet == Fleet.Pull ? $"{Mean(r.PullChunks.Select(c => c.AnswerCallMs)):0} ms" : "–");
        Line("pull renewals answered 409 (lease taken over)", r => r.Fleet == Fleet.Pull ? $"{r.Cancelled}" : "–");
        Line("load average when the case started", r => r.Load);
        report.AppendLine();
    }

    private static void WriteNotes(StringBuilder report) =>
        report.AppendLine("## How to read this").AppendLine()
            .AppendLine("- *Orchestration overhead per chunk* (master clock): per worker, the time from leasing a chunk to recording its answer minus the worker's own processing time, plus the idle gap before its next lease; summed and divided by the chunks. For pull workers it contains the lease call, the audio download and the result call; idle gaps while the splitter has not yet passed the next chunk count too, so it is an upper bound on dispatch's own cost.")
            .AppendLine("- *Dies* (pull): the worker leases its 3rd chunk and goes silent (no renewal, no answer): the chunk comes back when its lease lapses (`LeaseTtl`). *Dies* (push): `FakeWorker` drops the connection on its 3rd request: the pump sees it at once.")
            .AppendLine("- *Hangs*: the worker renews its 3rd lease every `RenewEvery` but never answers; once its renewal is answered 409 it stays stuck (takes nothing more). The hedge offers the chunk to another worker when the job has nothing else waiting.")
            .AppendLine("- The machine's 2 cores were shared with other engineers' builds and tests during the run (load averages above); every figure includes that contention, and the ratios move by tens of percent from run to run under it.");

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
    /// Per worker: time from leasing a chunk to recording its result, minus the worker's own processing time,
    /// plus the idle gap before its next lease; summed over workers and divided by the chunks.
    /// </summary>
    private static double OverheadPerChunk(Run run)
    {
        double total = 0;
        var counted = 0;
        foreach (var group in run.Chunks.Where(c => c.Status == "completed" && c.StartedAt is not null && c.CompletedAt is not null).GroupBy(c => c.WorkerId))
        {
            var ratio = run.RatioById.GetValueOrDefault(group.Key, double.NaN);
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

    private static double Mean(IEnumerable<double> values) => values.DefaultIfEmpty(double.NaN).Average();

    private static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private sealed record ChunkTiming(double SentSeconds, string WorkerId, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, string Status, int Attempts);

    private sealed record Run(
        Fleet Fleet, Fault Fault, string Status, TimeSpan Total, TimeSpan Uploaded, DateTimeOffset UploadStartedAt, Dictionary<string, TimeSpan> FirstSeen,
        ChunkTiming[] Chunks, double DurationSeconds, Dictionary<string, double> RatioById, PullTiming[] PullChunks, int Cancelled, string Load)
    {
        public double SentSeconds => Chunks.Sum(c => c.SentSeconds);

        public double Fluid(double[] ratios) => SentSeconds / ratios.Sum(r => 1 / r);

        public double FirstLeaseSeconds => Chunks.Where(c => c.StartedAt is not null).Select(c => (c.StartedAt!.Value - UploadStartedAt).TotalSeconds).DefaultIfEmpty(double.NaN).Min();

        public double LastAnswerSeconds => Chunks.Where(c => c.CompletedAt is not null).Select(c => (c.CompletedAt!.Value - UploadStartedAt).TotalSeconds).DefaultIfEmpty(double.NaN).Max();

        /// <summary>First lease → last answer, on the master's clock (chunks flow while the recording is still being split).</summary>
        public double Processing => LastAnswerSeconds - FirstLeaseSeconds;
    }
}
