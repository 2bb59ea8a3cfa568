using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Orchard.Tests.Infrastructure;

/// <summary>
/// A private redis-server on 127.0.0.1 (no persistence) that a test may kill and start again empty, as a Redis
/// restart without persistence loses its data, without disturbing the shared server other tests use.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly int port;
    private Process? process;

    private RedisServerProcess(int port) => this.port = port;

    public string ConnectionString => $"127.0.0.1:{port}";

    public static async Task<RedisServerProcess> StartAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var server = new RedisServerProcess(port);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts (again) on the same port, with no data.</summary>
    public async Task StartAgainAsync()
    {
        process = Process.Start(new ProcessStartInfo("redis-server", ["--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        process.BeginOutputReadLine();
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"redis-server did not listen on {port} within 5 s.");
    }

    /// <summary>SIGKILL: everything in memory is gone.</summary>
    public async Task KillAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process?.Dispose();
    }
}
