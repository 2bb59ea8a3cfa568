using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Orchard.Tests.Infrastructure;

/// <summary>
/// The real local host (Orchard.LocalHost.dll) as a child process on 127.0.0.1, configured through environment
/// variables, so tests can submit over HTTP, kill it with SIGKILL and start it again on the same task hub.
/// </summary>
public sealed class LocalHostProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string> environment;
    private readonly System.Text.StringBuilder output = new();
    private Process? process;

    private LocalHostProcess(Dictionary<string, string> environment, int port)
    {
        this.environment = environment;
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public string BaseUrl { get; }

    public string RedisPrefix => environment["State__KeyPrefix"];

    /// <summary>The running process's id (null before <see cref="StartAsync"/>), for what measures it from outside (its CPU time).</summary>
    public int? ProcessId => process is { HasExited: false } running ? running.Id : null;

    /// <summary>The environment the process runs with (what differs from the defaults and host.json).</summary>
    public IReadOnlyDictionary<string, string> Settings => environment;

    /// <summary>What the process printed (all runs), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>
    /// Durable settings that differ from host.json's (which holds production's): queue polling at 50 ms instead of
    /// 1 s, so a test's many orchestration steps do not each wait up to a second. Whatever reports figures from this
    /// host says so beside them (see bench/).
    /// </summary>
    public static IReadOnlyDictionary<string, string> EngineOverrides { get; } = new Dictionary<string, string>
    {
        ["DurableEngine__MaxQueuePollingInterval"] = "00:00:00.050",
    };

    /// <summary>The timer schedules every deployment sets (local.settings.sample.json, infra/): without them the timers do not run.</summary>
    public static IReadOnlyDictionary<string, string> TimerSchedules { get; } = new Dictionary<string, string>
    {
        ["Timers__WorkerSweep"] = "0 * * * * *",
        ["Timers__JobCleanup"] = "30 * * * * *",
    };

    /// <summary>
    /// Settings for a fresh task hub, key prefix and container, with <see cref="EngineOverrides"/> and
    /// <see cref="TimerSchedules"/>; <paramref name="settings"/> adds or overrides.
    /// </summary>
    public static LocalHostProcess Create(string redis, string storage, IDictionary<string, string>? settings = null)
    {
        var port = FreePort();
        var environment = new Dictionary<string, string>(EngineOverrides.Concat(TimerSchedules))
        {
            ["urls"] = $"http://127.0.0.1:{port}",
            ["AzureWebJobsStorage"] = storage,
            ["State__RedisConnectionString"] = redis,
            ["State__FallbackToMemory"] = "false",
            ["State__KeyPrefix"] = $"test:{Guid.NewGuid():N}:",
            ["Storage__ContainerName"] = "t" + Guid.NewGuid().ToString("N"),
            ["DurableEngine__TaskHubName"] = "t" + Guid.NewGuid().ToString("N")[..16],
            ["Audio__MinChunkSeconds"] = "8",
            ["Audio__MaxChunkSeconds"] = "20",
            ["Dispatch__TimeoutFloor"] = "00:00:05",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        // A given address (a host that takes over where another listened) is the address callers use.
        return new LocalHostProcess(environment, new Uri(environment["urls"]).Port);
    }

    /// <summary>Starts the process and waits (bounded) until it answers <c>GET /stats</c>.</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("dotnet", [LocalHostDll()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The local host exited with {process.ExitCode}: {Output}");
            }

            try
            {
                if ((await http.GetAsync($"{BaseUrl}/stats")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The local host did not answer within 60 s.");
    }

    /// <summary>SIGKILL, as a crash would: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process?.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string LocalHostDll()
    {
        // The caller sits in <project>/bin/<configuration>/<tfm>; the local host runs from its own bin folder.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Orchard.sln")))
        {
            root = root.Parent;
        }

        var own = root is null ? null : Path.Combine(root.FullName, "Orchard.LocalHost", "bin", here.Parent!.Name, here.Name, "Orchard.LocalHost.dll");
        return own is not null && File.Exists(own) ? own : Path.Combine(AppContext.BaseDirectory, "Orchard.LocalHost.dll");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
