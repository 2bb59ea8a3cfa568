using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Orchard.Tests.Infrastructure;
using StackExchange.Redis;

namespace Orchard.Bench;

/// <summary>
/// 200 idle pull workers long-polling one master: its CPU and Redis's load while nothing is to be done, then the
/// latency of lease calls that find work while those 200 keep polling (a probe worker drains a job none of them can
/// serve: they declare only Japanese, the job is English, so they stay idle and every ready signal wakes them all).
/// </summary>
internal static partial class MakespanBenchmark
{
    private const int IdlePollers = 200;
    private static readonly TimeSpan IdleWarmUp = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan IdleWindowLength = TimeSpan.FromSeconds(20);

    private sealed record IdleRun(
        TimeSpan IdleWindow, double IdleCpuSeconds, double IdleOpsPerSecond, string IdleInstantaneousOps, double IdleRedisCpuSeconds, int IdlePolls, double IdleEmptyPollMedianMs,
        IReadOnlyList<double> FoundLeaseMs, TimeSpan ProbeWindow, double ProbeCpuSeconds, double ProbeOpsPerSecond, double ProbeRedisCpuSeconds, string JobStatus, int Chunks,
        string Load, string ChunkSettings)
    {
        /// <summary>The same window's figures before any worker registered: the host's own polling and timers (the floor).</summary>
        public (TimeSpan Window, double CpuSeconds, double OpsPerSecond, double RedisCpuSeconds) Floor { get; init; }

        public double IdleCpuPercent => IdleCpuSeconds / IdleWindow.TotalSeconds * 100;
    }

    private static async Task<IdleRun> IdleFleetAsync(string redis, string storage, string recording)
    {
        // Short chunks (as the tests' host) so one 30-minute job gives the probe over a hundred lease calls.
        var settings = new Dictionary<string, string>(HostSettings) { ["Audio__MinChunkSeconds"] = "8", ["Audio__MaxChunkSeconds"] = "20" };
        var load = LoadAverage();
        await using var host = LocalHostProcess.Create(redis, storage, settings);
        await host.StartAsync();
        var pid = host.ProcessId ?? throw new InvalidOperationException("The local host is not running.");
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = IdlePollers * 2 };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        var redisOptions = ConfigurationOptions.Parse(redis);
        redisOptions.AllowAdmin = true; // INFO is an admin command to StackExchange.Redis
        await using var redisConnection = await ConnectionMultiplexer.ConnectAsync(redisOptions);
        var db = redisConnection.GetDatabase();
        var pollers = new List<FakePullWorker>();
        FakePullWorker? probe = null;
        try
        {
            // The floor: the same host with no worker at all, over an equal window.
            await Task.Delay(IdleWarmUp);
            var (floorCpu0, floorOps0, floorRedis0) = (ProcessCpuSeconds(pid), await RedisStatAsync(db, "stats", "total_commands_processed"), await RedisCpuAsync(db));
            var floorWindow = Stopwatch.StartNew();
            await Task.Delay(IdleWindowLength);
            var (floorCpu1, floorOps1, floorRedis1) = (ProcessCpuSeconds(pid), await RedisStatAsync(db, "stats", "total_commands_processed"), await RedisCpuAsync(db));
            var floor = (floorWindow.Elapsed, floorCpu1 - floorCpu0, (floorOps1 - floorOps0) / floorWindow.Elapsed.TotalSeconds, floorRedis1 - floorRedis0);

            for (var i = 0; i < IdlePollers; i++)
            {
                pollers.Add(await IdlePullerAsync(http, host.BaseUrl, 0.01, "ja"));
            }

            probe = await IdlePullerAsync(http, host.BaseUrl, 0, "en");
            foreach (var poller in pollers)
            {
                poller.Start();
            }

            await Task.Delay(IdleWarmUp);
            var polls0 = pollers.Sum(p => p.EmptyPollMs.Count);
            var (cpu0, ops0, redisCpu0) = (ProcessCpuSeconds(pid), await RedisStatAsync(db, "stats", "total_commands_processed"), await RedisCpuAsync(db));
            var window = Stopwatch.StartNew();
            await Task.Delay(IdleWindowLength);
            var instantaneous = await RedisStatAsync(db, "stats", "instantaneous_ops_per_sec");
            var (cpu1, ops1, redisCpu1) = (ProcessCpuSeconds(pid), await RedisStatAsync(db, "stats", "total_commands_processed"), await RedisCpuAsync(db));
            var idleWindow = window.Elapsed;
            var polls = pollers.Sum(p => p.EmptyPollMs.Count) - polls0;
            var emptyPolls = pollers.SelectMany(p => p.EmptyPollMs).ToArray();

            // The probe: an English job nobody polling can serve; it drains it alone once the split is done.
            string jobId;
            using (var form = new MultipartFormDataContent())
            {
                var file = new StreamContent(File.OpenRead(recording));
                file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
                form.Add(file, "file", "lecture-30min.wav");
                using var response = await http.PostAsync($"{host.BaseUrl}/jobs?purify=false&language=en", form);
                using var accepted = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                jobId = accepted.RootElement.GetProperty("job_id").GetString()!;
            }

            var status = await WaitForStatusAsync(http, host.BaseUrl, jobId, s => s is "processing" or "completed" or "failed", TimeSpan.FromMinutes(2));
            var (cpu2, ops2, redisCpu2) = (ProcessCpuSeconds(pid), await RedisStatAsync(db, "stats", "total_commands_processed"), await RedisCpuAsync(db));
            var probeWindow = Stopwatch.StartNew();
            probe.Start();
            status = await WaitForStatusAsync(http, host.BaseUrl, jobId, s => s is "completed" or "failed", TimeSpan.FromMinutes(3));
            var (cpu3, ops3, redisCpu3) = (ProcessCpuSeconds(pid), await RedisStatAsync(db, "stats", "total_commands_processed"), await RedisCpuAsync(db));
            var probeElapsed = probeWindow.Elapsed;
            return new IdleRun(
                idleWindow, cpu1 - cpu0, (ops1 - ops0) / idleWindow.TotalSeconds, instantaneous.ToString(CultureInfo.InvariantCulture), redisCpu1 - redisCpu0, polls,
                Percentile(emptyPolls, 0.5),
                [.. probe.Timings.Select(c => c.LeaseCallMs)], probeElapsed, cpu3 - cpu2, (ops3 - ops2) / probeElapsed.TotalSeconds, redisCpu3 - redisCpu2, status, probe.Timings.Count,
                load, "`Audio:MinChunkSeconds` = 8, `Audio:MaxChunkSeconds` = 20") { Floor = floor };
        }
        finally
        {
            if (probe is not null)
            {
                await probe.DisposeAsync();
            }

            // Long polls end when the host stops; stop it first so 200 disposals do not each wait out a 25 s poll.
            await host.KillAsync();
            foreach (var poller in pollers)
            {
                await poller.DisposeAsync();
            }
        }
    }

    private static void WriteIdle(StringBuilder report, IdleRun idle) =>
        report.AppendLine(CultureInfo.InvariantCulture, $"## {IdlePollers} idle pull workers long-polling").AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"{IdlePollers} fake pull workers registered (declaring only `ja`) long-poll `POST /workers/{{id}}/lease` with `wait_seconds` = 25 from one HTTP client; after a {IdleWarmUp.TotalSeconds:0} s warm-up the master's process CPU time (/proc/<pid>/stat utime + stime) and Redis's `INFO` counters are read before and after a {IdleWindowLength.TotalSeconds:0} s window. Then an English 30-minute job is submitted ({idle.ChunkSettings}, so it has many chunks) which none of the 200 can serve; once it is split, one probe pull worker declaring `en` (processing time 0) drains it alone while the 200 keep polling, each chunk made ready waking at most one parked poll per instance. Every lease call of the probe finds work waiting.").AppendLine()
            .AppendLine("| measure | floor: same host, no worker | idle window (200 polling) | probe window (200 polling + 1 draining) |")
            .AppendLine("|---|---:|---:|---:|")
            .AppendLine(CultureInfo.InvariantCulture, $"| window | {idle.Floor.Window.TotalSeconds:0.0} s | {idle.IdleWindow.TotalSeconds:0.0} s | {idle.ProbeWindow.TotalSeconds:0.0} s ({idle.Chunks} chunks, job {idle.JobStatus}) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| master process CPU | {idle.Floor.CpuSeconds:0.00} s = {idle.Floor.CpuSeconds / idle.Floor.Window.TotalSeconds * 100:0.0}% of one core | {idle.IdleCpuSeconds:0.00} s = {idle.IdleCpuPercent:0.0}% of one core | {idle.ProbeCpuSeconds:0.00} s = {idle.ProbeCpuSeconds / idle.ProbeWindow.TotalSeconds * 100:0.0}% of one core |")
            .AppendLine(CultureInfo.InvariantCulture, $"| Redis commands per second (total_commands_processed delta) | {idle.Floor.OpsPerSecond:0} | {idle.IdleOpsPerSecond:0} (instantaneous_ops_per_sec at the end: {idle.IdleInstantaneousOps}) | {idle.ProbeOpsPerSecond:0} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| Redis CPU (used_cpu_user + used_cpu_sys delta) | {idle.Floor.RedisCpuSeconds:0.00} s | {idle.IdleRedisCpuSeconds:0.00} s | {idle.ProbeRedisCpuSeconds:0.00} s |")
            .AppendLine(CultureInfo.InvariantCulture, $"| lease calls answered 204 in the window (median duration) | | {idle.IdlePolls} ({idle.IdleEmptyPollMedianMs / 1000:0.0} s) | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| probe's lease calls that found work: p50 / p90 / p99 / max | | | {Percentile(idle.FoundLeaseMs, 0.5):0} / {Percentile(idle.FoundLeaseMs, 0.9):0} / {Percentile(idle.FoundLeaseMs, 0.99):0} / {idle.FoundLeaseMs.DefaultIfEmpty(double.NaN).Max():0} ms (n = {idle.FoundLeaseMs.Count}) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| load average when the case started | {idle.Load} | | |")
            .AppendLine();

    private static async Task<string> WaitForStatusAsync(HttpClient http, string baseUrl, string jobId, Func<string, bool> reached, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var status = "unknown";
        for (var poll = 0; poll < 100_000 && clock.Elapsed < limit; poll++)
        {
            using var job = JsonDocument.Parse(await http.GetStringAsync($"{baseUrl}/jobs/{jobId}"));
            status = job.RootElement.GetProperty("status").GetString()!;
            if (reached(status))
            {
                return status;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"job {jobId} stayed {status} for {limit}");
    }

    /// <summary>User + system CPU time of a process, from /proc (clock ticks of 1/100 s on Linux).</summary>
    private static double ProcessCpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static async Task<double> RedisStatAsync(IDatabase db, string section, string name)
    {
        var info = (string?)await db.ExecuteAsync("INFO", section) ?? string.Empty;
        var line = info.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }

    private static async Task<double> RedisCpuAsync(IDatabase db) =>
        await RedisStatAsync(db, "cpu", "used_cpu_user") + await RedisStatAsync(db, "cpu", "used_cpu_sys");

    /// <summary>A registered pull worker declaring one language, not polling yet (<see cref="FakePullWorker.Start()"/> starts it).</summary>
    private static async Task<FakePullWorker> IdlePullerAsync(HttpClient http, string masterUrl, double ratio, string language)
    {
        var worker = new FakePullWorker(new Uri(masterUrl), http)
        {
            Name = $"fake-pull-{language}",
            SpeedRatio = ratio,
            Languages = [language],
            WaitSeconds = 25,
            Lifetime = TimeSpan.FromMinutes(10),
        };
        await worker.RegisterAsync();
        return worker;
    }
}
