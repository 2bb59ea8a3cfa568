using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace Orchard.Domain.Net;

/// <summary>
/// The HTTP clients that call URLs others gave Orchard (workers, webhooks): each connection goes only to an address
/// <see cref="OutboundUrlPolicy"/> allows, checked on the address the name resolved to at that moment, and no
/// redirect is followed (a 302 to 169.254.169.254 would otherwise undo the check on the registered URL).
/// </summary>
public static class OutboundHttp
{
    /// <summary>
    /// Adds a named client behind the policy; timeouts are per call, so the client's own is infinite. The policy is the
    /// registered <see cref="OutboundUrlPolicy"/> (<c>AddOrchardWorkers</c> builds it from <c>Workers:AllowPrivateNetworks</c>
    /// and <c>Workers:AllowHttp</c>): Net sits below the folders whose settings carry the rule and reads none of them.
    /// </summary>
    public static IHttpClientBuilder AddOutboundHttpClient(this IServiceCollection services, string name)
    {
        return services.AddHttpClient(name, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => CreateHandler(sp.GetRequiredService<OutboundUrlPolicy>()));
    }

    public static SocketsHttpHandler CreateHandler(OutboundUrlPolicy policy) => new()
    {
        AllowAutoRedirect = false,
        // A proxy would make the connection (and so the address check) its own: the check would see only the proxy.
        UseProxy = false,
        ConnectCallback = (context, cancellationToken) => ConnectAsync(policy, context.DnsEndPoint, cancellationToken),
    };

    /// <summary>
    /// Resolves the host, keeps the addresses the policy allows and connects to the first that answers; when it allows
    /// none, throws <see cref="OutboundUrlRefusedException"/> (wrapped by the handler in an <see cref="HttpRequestException"/>).
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(OutboundUrlPolicy policy, DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(endpoint);
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var allowed = addresses.Where(a => policy.Refusal(a) is null).ToArray();
        if (allowed.Length == 0)
        {
            var reason = addresses.Length == 0 ? "no address" : policy.Refusal(addresses[0]);
            throw new OutboundUrlRefusedException($"Orchard does not connect to {endpoint.Host}: it resolves to {reason}.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
