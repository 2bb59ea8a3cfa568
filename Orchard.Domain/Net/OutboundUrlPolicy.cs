using System.Net;
using System.Net.Sockets;

namespace Orchard.Domain.Net;

/// <summary>
/// Where Orchard may send requests of its own (push workers, completion webhooks): the one home of the rule, applied
/// to a URL when it is registered (<see cref="Check"/>) and to every address actually connected to
/// (<see cref="OutboundHttp"/>), so a name that resolves elsewhere later (DNS rebinding) gains nothing.
/// </summary>
public sealed class OutboundUrlPolicy(bool allowPrivateNetworks, bool allowHttp)
{
    /// <summary>
    /// Cloud metadata and platform endpoints, refused whatever the settings: they hand out credentials or control the
    /// host. 169.254.169.254 (AWS, Azure IMDS, GCP, OCI, ...) is also link-local; fd00:ec2::254 is AWS's IPv6 IMDS,
    /// inside the private fc00::/7 that AllowPrivateNetworks would otherwise open; 168.63.129.16 is Azure's WireServer,
    /// a public address every Azure VM reaches and must never be told to call; 100.100.100.200 is Alibaba Cloud's
    /// metadata service, inside the CGNAT range.
    /// </summary>
    private static readonly IPAddress[] Metadata =
    [
        IPAddress.Parse("169.254.169.254"), IPAddress.Parse("fd00:ec2::254"), IPAddress.Parse("168.63.129.16"), IPAddress.Parse("100.100.100.200"),
    ];

    private static readonly (IPAddress Network, int Bits)[] AlwaysRefused =
    [
        (IPAddress.Parse("0.0.0.0"), 8),        // "this network": 0.0.0.0 reaches the local host on Linux
        (IPAddress.Parse("169.254.0.0"), 16),   // IPv4 link-local
        (IPAddress.Parse("224.0.0.0"), 4),      // IPv4 multicast
        (IPAddress.Parse("240.0.0.0"), 4),      // reserved, and 255.255.255.255 broadcast
        (IPAddress.Parse("fe80::"), 10),        // IPv6 link-local
        (IPAddress.Parse("ff00::"), 8),         // IPv6 multicast
    ];

    private static readonly (IPAddress Network, int Bits)[] Private =
    [
        (IPAddress.Parse("127.0.0.0"), 8),
        (IPAddress.Parse("10.0.0.0"), 8),
        (IPAddress.Parse("172.16.0.0"), 12),
        (IPAddress.Parse("192.168.0.0"), 16),
        (IPAddress.Parse("100.64.0.0"), 10),    // carrier-grade NAT, often a provider's internal network
        (IPAddress.Parse("fc00::"), 7),         // IPv6 unique local
        (IPAddress.Parse("fec0::"), 10),        // deprecated IPv6 site-local, still routed by some networks
    ];

    /// <summary>IPv6 prefixes that carry an IPv4 address in their last 32 bits: it is that address that gets reached.</summary>
    private static readonly (IPAddress Network, int Bits)[] Embedding =
    [
        (IPAddress.Parse("64:ff9b::"), 96),     // NAT64 well-known prefix
        (IPAddress.Parse("::"), 96),            // deprecated IPv4-compatible addresses
    ];

    public bool AllowPrivateNetworks { get; } = allowPrivateNetworks;

    public bool AllowHttp { get; } = allowHttp;

    /// <summary>
    /// The URL as a <see cref="Uri"/> when Orchard may call it; otherwise <see cref="OutboundUrlRefusedException"/> with
    /// a sentence naming the rule. <paramref name="what"/> names the URL in that sentence ("The worker URL"). Pure: a
    /// host name is not resolved here (except <c>localhost</c>, loopback by definition); its addresses are checked
    /// when connecting.
    /// </summary>
    public Uri Check(string? url, string what)
    {
        var text = url?.Trim() ?? string.Empty;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.DnsSafeHost.Length == 0)
        {
            throw new OutboundUrlRefusedException($"{what} must be an absolute http(s) URL such as https://host:port.");
        }

        if (uri.UserInfo.Length > 0)
        {
            throw new OutboundUrlRefusedException($"{what} must not carry credentials (user:password@): they would be stored and shown. Remove them.");
        }

        // On the raw text: an empty "?" or "#" leaves Uri.Query and Uri.Fragment empty, yet "#" still swallows any
        // path Orchard appends (".../#/transcribe").
        if (text.Contains('?', StringComparison.Ordinal) || text.Contains('#', StringComparison.Ordinal))
        {
            throw new OutboundUrlRefusedException($"{what} must have no query (?) or fragment (#): Orchard appends its own path to it.");
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !AllowHttp)
        {
            throw new OutboundUrlRefusedException($"{what} must use https; plain http is allowed only when the administrator sets Workers:AllowHttp=true (for a LAN).");
        }

        var host = uri.DnsSafeHost;
        if (IPAddress.TryParse(host, out var address))
        {
            if (Refusal(address) is { } reason)
            {
                throw new OutboundUrlRefusedException($"{what} points to {reason}.");
            }
        }
        else if (IsLocalhostName(host) && !AllowPrivateNetworks)
        {
            throw new OutboundUrlRefusedException($"{what} points to {PrivateReason(IPAddress.Loopback)}.");
        }

        return uri;
    }

    /// <summary>Why Orchard must not connect to this address (a phrase for a sentence), or null when it may.</summary>
    public string? Refusal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var ip = Embedded(address);
        if (Metadata.Any(m => m.Equals(ip)))
        {
            return $"a cloud metadata address ({ip}), which is always refused";
        }

        if (ip.Equals(IPAddress.IPv6Any) || ip.Equals(IPAddress.Any))
        {
            return $"the unspecified address ({ip}), which is always refused";
        }

        if (AlwaysRefused.Any(r => InRange(ip, r.Network, r.Bits)))
        {
            return $"a link-local, multicast or reserved address ({ip}), which is always refused";
        }

        if (!AllowPrivateNetworks && (ip.Equals(IPAddress.IPv6Loopback) || Private.Any(r => InRange(ip, r.Network, r.Bits))))
        {
            return PrivateReason(ip);
        }

        return null;
    }

    private static string PrivateReason(IPAddress ip) =>
        $"a loopback or private-network address ({ip}), refused unless the administrator sets Workers:AllowPrivateNetworks=true";

    /// <summary><c>localhost</c> and <c>*.localhost</c> are loopback by definition (RFC 6761), whatever DNS says.</summary>
    private static bool IsLocalhostName(string host)
    {
        var name = host.TrimEnd('.');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The IPv4 address an IPv4-mapped, NAT64 or IPv4-compatible IPv6 address reaches; otherwise the address itself.</summary>
    private static IPAddress Embedded(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.IPv6Loopback)
            && Embedding.Any(e => InRange(address, e.Network, e.Bits)))
        {
            return new IPAddress(address.GetAddressBytes()[12..]);
        }

        return address;
    }

    private static bool InRange(IPAddress address, IPAddress network, int bits)
    {
        if (address.AddressFamily != network.AddressFamily)
        {
            return false;
        }

        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        var full = bits / 8;
        if (!a.AsSpan(0, full).SequenceEqual(n.AsSpan(0, full)))
        {
            return false;
        }

        var rest = bits % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - rest));
        return (a[full] & mask) == (n[full] & mask);
    }
}

/// <summary>A URL or address Orchard will not call (see <see cref="OutboundUrlPolicy"/>); the message names the rule.</summary>
public sealed class OutboundUrlRefusedException(string message) : ArgumentException(message);
