using System.Net.Sockets;
using System.Text;
using Azure.Storage.Blobs;

namespace Orchard.LocalHost;

/// <summary>Quick reachability checks for the start-up report; they never throw.</summary>
internal static class ServiceProbe
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public static async Task<string?> StorageAsync(string connectionString)
    {
        try
        {
            using var cts = new CancellationTokenSource(Timeout);
            var options = new BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = Timeout } };
            await new BlobServiceClient(connectionString, options).GetPropertiesAsync(cts.Token);
            return null;
        }
#pragma warning disable CA1031 // Any failure is the answer "not reachable", reported with its message.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ex.Message.Split('\n')[0];
        }
    }

    /// <summary>Sends PING to host:port (the first endpoint of a StackExchange.Redis connection string).</summary>
    public static async Task<string?> RedisAsync(string endpoint)
    {
        try
        {
            var first = endpoint.Split(',')[0].Trim();
            var colon = first.LastIndexOf(':');
            var host = colon > 0 ? first[..colon] : first;
            var port = colon > 0 ? int.Parse(first[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture) : 6379;
            using var cts = new CancellationTokenSource(Timeout);
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(host, port, cts.Token);
            var stream = tcp.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cts.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, cts.Token);
            var reply = Encoding.ASCII.GetString(buffer, 0, read);
            // A password-protected server answers -NOAUTH, which still proves it is there.
            return reply.StartsWith("+PONG", StringComparison.Ordinal) || reply.StartsWith("-NOAUTH", StringComparison.Ordinal)
                ? null
                : $"unexpected reply '{reply.Trim()}'";
        }
#pragma warning disable CA1031 // Any failure is the answer "not reachable", reported with its message.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ex.Message;
        }
    }
}
