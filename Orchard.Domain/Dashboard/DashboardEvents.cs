using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.State;

namespace Orchard.Domain.Dashboard;

/// <summary>
/// The live feed as Server-Sent Events: a <c>snapshot</c> event whenever what the dashboard shows changed, a comment
/// line as heartbeat when nothing did, and a <c>bye</c> event before the server ends the stream (after
/// <see cref="DashboardOptions.StreamDuration"/>, under the host's response limit) so the page reconnects at once.
/// </summary>
public sealed partial class DashboardEvents(DashboardFeed feed, IOptions<DashboardOptions> options, TimeProvider time, ILogger<DashboardEvents> logger)
{
    public const string ContentType = "text/event-stream; charset=utf-8";

    private static readonly byte[] Heartbeat = ": heartbeat\n\n"u8.ToArray();

    /// <summary>Writes the stream until its duration ends or the client goes; bounded in time and in reads.</summary>
    public async Task StreamAsync(Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var settings = options.Value;
        var started = time.GetUtcNow();
        var reads = (int)Math.Ceiling(settings.StreamDuration / settings.PollInterval) + 1;
        var lastWrite = started;
        string? lastTag = null;

        // The browser waits this long before reconnecting after a drop it did not expect.
        await WriteAsync(output, "retry: 2000\n\n"u8.ToArray(), cancellationToken);
        for (var read = 0; read < reads && time.GetUtcNow() - started < settings.StreamDuration; read++)
        {
            if (read > 0)
            {
                await Task.Delay(settings.PollInterval, time, cancellationToken);
            }

            byte[]? frame = null;
            try
            {
                var json = (await feed.ReadAsync(cancellationToken)).ToUtf8Json();
                var tag = DashboardSnapshot.EntityTag(json);
                if (tag != lastTag)
                {
                    lastTag = tag;
                    frame = [.. Encoding.UTF8.GetBytes($"id: {tag.Trim('"')}\nevent: snapshot\ndata: "), .. json, .. "\n\n"u8];
                }
            }
            catch (StateStoreUnavailableException ex)
            {
                // The page keeps what it shows and says the state is unreachable; the stream stays for the next read.
                LogStateUnavailable(logger, ex);
                frame = "event: unavailable\ndata: {\"error\":\"The state store is unavailable; retrying.\"}\n\n"u8.ToArray();
                lastTag = null;
            }

            if (frame is null && time.GetUtcNow() - lastWrite >= settings.HeartbeatInterval)
            {
                frame = Heartbeat;
            }

            if (frame is not null)
            {
                await WriteAsync(output, frame, cancellationToken);
                lastWrite = time.GetUtcNow();
            }
        }

        await WriteAsync(output, "event: bye\ndata: {\"reconnect\":true}\n\n"u8.ToArray(), cancellationToken);
    }

    private static async Task WriteAsync(Stream output, byte[] frame, CancellationToken cancellationToken)
    {
        await output.WriteAsync(frame, cancellationToken);
        await output.FlushAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard stream: the state store is unavailable")]
    private static partial void LogStateUnavailable(ILogger logger, Exception exception);
}
