using System.Collections.Concurrent;
using System.Diagnostics;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Worker;

/// <summary>The worker as a separate process, for what only the operating system can tell (its sockets).</summary>
public class ProgramTests
{
    [Fact]
    public async Task Main_OpensNoListeningSocket_InPullMode()
    {
        await using var master = await FakeMaster.StartAsync();
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Orchard.Worker.dll"), $"--Worker:MasterUrl={master.Url}", "--Worker:Name=no-port" })
        {
            start.ArgumentList.Add(arg);
        }

        var output = new ConcurrentQueue<string>();
        using var worker = new Process { StartInfo = start };
        worker.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        worker.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        Assert.True(worker.Start());
        worker.BeginOutputReadLine();
        worker.BeginErrorReadLine();
        try
        {
            await Poll.UntilAsync(
                () => master.LeasePolls >= 2 || worker.HasExited,
                "the worker process registering and polling");
            Assert.False(worker.HasExited, string.Join('\n', output));

            var listening = ListeningSocketInodes();

            // The check itself works: this test process listens (the fake master), and is seen to.
            Assert.NotEmpty(SocketInodes(Environment.ProcessId).Intersect(listening));
            Assert.Empty(SocketInodes(worker.Id).Intersect(listening));
            Assert.Contains(output, line => line.Contains("no port open", StringComparison.Ordinal));
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
        }
    }

    /// <summary>The inodes of every listening TCP socket in this network namespace (state 0A in /proc/net/tcp*).</summary>
    private static HashSet<string> ListeningSocketInodes()
    {
        var inodes = new HashSet<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists))
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 && fields[3] == "0A")
                {
                    inodes.Add(fields[9]);
                }
            }
        }

        return inodes;
    }

    /// <summary>The inodes of the sockets process <paramref name="pid"/> holds open.</summary>
    private static List<string> SocketInodes(int pid) =>
        Directory.EnumerateFiles($"/proc/{pid}/fd")
            .Select(LinkTarget)
            .Where(target => target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            .Select(target => target!["socket:[".Length..^1])
            .ToList();

    private static string? LinkTarget(string fd)
    {
        try
        {
            return new FileInfo(fd).LinkTarget;
        }
        catch (IOException)
        {
            // Closed between listing and reading: not a socket that is still open.
            return null;
        }
    }
}
