using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Orchard.Tests.Infrastructure;

/// <summary>A <c>PUBLISH</c> seen on a channel: when Redis ran it and the client name of the connection that sent it.</summary>
public sealed record Publication(DateTimeOffset At, string Client);

/// <summary>
/// Watches which process publishes on a Redis channel: <c>CLIENT LIST</c> maps each connection's address to its client
/// name (set with <c>name=</c> in a process's connection string), then <c>MONITOR</c> reports every <c>PUBLISH</c> on
/// the channel with the address that sent it. For tests only: MONITOR slows a server down.
/// </summary>
public sealed class RedisPublishWatch : IAsyncDisposable
{
    private readonly TcpClient client;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentQueue<Publication> publications = new();
    private readonly Dictionary<string, string> names;
    private readonly Task reading;

    private RedisPublishWatch(TcpClient client, StreamReader reader, Dictionary<string, string> names, string channel)
    {
        this.client = client;
        this.names = names;
        reading = Task.Run(() => ReadAsync(reader, channel));
    }

    /// <summary>Every publication on the channel since the watch started, in order.</summary>
    public IReadOnlyCollection<Publication> Publications => publications;

    /// <summary>
    /// Starts watching <paramref name="channel"/> on the Redis at <paramref name="endpoint"/> (host:port). Connections
    /// opened after this call are reported by address, not name.
    /// </summary>
    public static async Task<RedisPublishWatch> StartAsync(string endpoint, string channel)
    {
        var parts = endpoint.Split(',')[0].Split(':');
        var client = new TcpClient();
        await client.ConnectAsync(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture));
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.UTF8);
        await stream.WriteAsync(Encoding.ASCII.GetBytes("CLIENT LIST\r\n"));
        var header = await reader.ReadLineAsync() ?? string.Empty;
        if (!header.StartsWith('$'))
        {
            client.Dispose();
            throw new InvalidOperationException($"CLIENT LIST answered {header}");
        }

        var body = new char[int.Parse(header[1..], CultureInfo.InvariantCulture)];
        var read = 0;
        for (var i = 0; i < 10_000 && read < body.Length; i++)
        {
            read += await reader.ReadAsync(body.AsMemory(read));
        }

        await reader.ReadLineAsync();
        var names = new string(body, 0, read).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]))
            .Where(fields => fields.ContainsKey("addr"))
            .ToDictionary(fields => fields["addr"], fields => fields.GetValueOrDefault("name") ?? string.Empty);
        await stream.WriteAsync(Encoding.ASCII.GetBytes("MONITOR\r\n"));
        if (await reader.ReadLineAsync() != "+OK")
        {
            client.Dispose();
            throw new InvalidOperationException("MONITOR was refused");
        }

        return new RedisPublishWatch(client, reader, names, channel);
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        client.Dispose();
        await reading;
        stopping.Dispose();
    }

    private async Task ReadAsync(StreamReader reader, string channel)
    {
        // One line per command: +1700000000.123456 [0 127.0.0.1:41234] "PUBLISH" "channel" "1"
        var wanted = $"\"PUBLISH\" \"{channel}\"";
        for (var i = 0; i < 10_000_000 && !stopping.IsCancellationRequested; i++)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(stopping.Token);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            if (line is null)
            {
                return;
            }

            if (!line.Contains(wanted, StringComparison.Ordinal))
            {
                continue;
            }

            var open = line.IndexOf('[', StringComparison.Ordinal);
            var close = line.IndexOf(']', open + 1);
            var address = line[(open + 1)..close].Split(' ').Last();
            var seconds = double.Parse(line[1..line.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            var at = DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
            publications.Enqueue(new Publication(at, names.GetValueOrDefault(address) ?? address));
        }
    }
}
