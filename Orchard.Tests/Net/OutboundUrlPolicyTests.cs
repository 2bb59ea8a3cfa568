using System.Net;
using System.Net.Sockets;
using Orchard.Domain.Net;

namespace Orchard.Tests.Net;

public sealed class OutboundUrlPolicyTests
{
    private static readonly OutboundUrlPolicy Cloud = new(allowPrivateNetworks: false, allowHttp: false);
    private static readonly OutboundUrlPolicy Lan = new(allowPrivateNetworks: true, allowHttp: true);

    [Theory]
    [InlineData("https://worker.example.org:8443")]
    [InlineData("https://worker.example.org/base/path")]
    [InlineData("https://203.0.113.7")]
    [InlineData("https://[2001:db8::7]:443")]
    public void Check_Accepts_WhenPublicHttpsWithoutExtras(string url)
    {
        Assert.Equal(new Uri(url), Cloud.Check(url, "The URL"));
    }

    [Theory]
    [InlineData("http://169.254.169.254/metadata/instance?api-version=2021-02-01#", "query (?) or fragment (#)")]
    [InlineData("https://169.254.169.254/latest", "cloud metadata address")]
    [InlineData("https://[fd00:ec2::254]/latest", "cloud metadata address")]
    [InlineData("https://168.63.129.16/machine", "cloud metadata address")]
    [InlineData("https://[::ffff:169.254.169.254]/", "cloud metadata address")]
    [InlineData("https://169.254.10.1/", "link-local")]
    [InlineData("https://[fe80::1]/", "link-local")]
    [InlineData("https://224.0.0.251/", "multicast")]
    [InlineData("https://[ff02::1]/", "multicast")]
    [InlineData("https://0.0.0.0:6379/", "unspecified")]
    [InlineData("https://[::]:6379/", "unspecified")]
    [InlineData("https://user:secret@worker.example.org/", "credentials")]
    [InlineData("https://worker.example.org/#", "fragment")]
    [InlineData("https://worker.example.org/?", "query")]
    [InlineData("ftp://worker.example.org/", "http(s)")]
    public void Check_Refuses_WhatIsAlwaysRefused_EvenOnALan(string url, string says)
    {
        var ex = Assert.Throws<OutboundUrlRefusedException>(() => Lan.Check(url, "The URL"));

        Assert.Contains(says, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://127.0.0.1:6379/")]
    [InlineData("https://[::1]/")]
    [InlineData("https://10.0.0.9:1/")]
    [InlineData("https://172.16.4.2/")]
    [InlineData("https://172.31.255.255/")]
    [InlineData("https://192.168.1.20:8080/")]
    [InlineData("https://100.64.0.1/")]
    [InlineData("https://[fc00::5]/")]
    [InlineData("https://[::ffff:10.1.2.3]/")]
    [InlineData("https://[64:ff9b::7f00:1]/")]
    [InlineData("https://localhost:8080/")]
    [InlineData("https://worker.localhost:8080/")]
    [InlineData("https://2130706433/")]
    public void Check_RefusesPrivateAndLoopback_UnlessAllowPrivateNetworks(string url)
    {
        var ex = Assert.Throws<OutboundUrlRefusedException>(() => Cloud.Check(url, "The URL"));

        Assert.Contains("Workers:AllowPrivateNetworks", ex.Message, StringComparison.Ordinal);
        Assert.Equal(new Uri(url), new OutboundUrlPolicy(allowPrivateNetworks: true, allowHttp: false).Check(url, "The URL"));
    }

    [Fact]
    public void Check_RefusesPlainHttp_UnlessAllowHttp()
    {
        var ex = Assert.Throws<OutboundUrlRefusedException>(() => Cloud.Check("http://worker.example.org:8080", "The worker URL"));

        Assert.StartsWith("The worker URL must use https", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Workers:AllowHttp", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(new OutboundUrlPolicy(allowPrivateNetworks: false, allowHttp: true).Check("http://worker.example.org:8080", "The worker URL"));
    }

    [Theory]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("8.8.8.8")]
    [InlineData("2001:db8::1")]
    public void Refusal_IsNull_WhenAddressIsPublicNextToAPrivateRange(string address)
    {
        Assert.Null(Cloud.Refusal(IPAddress.Parse(address)));
    }

    [Fact]
    public async Task ConnectAsync_Refuses_WhenTheNameResolvesToLoopbackAndPrivateNetworksAreOff()
    {
        // What DNS rebinding does: a name that passed registration resolves to an internal address when connecting.
        using var listener = Listen(out var port);

        var ex = await Assert.ThrowsAsync<OutboundUrlRefusedException>(async () =>
            await OutboundHttp.ConnectAsync(Cloud, new DnsEndPoint("localhost", port), CancellationToken.None));

        Assert.Contains("localhost", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Workers:AllowPrivateNetworks", ex.Message, StringComparison.Ordinal);
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task ConnectAsync_Connects_WhenTheNameResolvesToLoopbackAndPrivateNetworksAreOn()
    {
        using var listener = Listen(out var port);

        await using var stream = await OutboundHttp.ConnectAsync(Lan, new DnsEndPoint("localhost", port), CancellationToken.None);
        using var accepted = await listener.AcceptTcpClientAsync();

        Assert.True(accepted.Connected);
    }

    [Fact]
    public async Task CreateHandler_RefusesAtConnectTime_WhenAStoredUrlPointsToAPrivateAddress()
    {
        // A worker stored before the policy (or while it allowed more) is refused by the client itself.
        using var listener = Listen(out var port);
        using var client = new HttpClient(OutboundHttp.CreateHandler(new OutboundUrlPolicy(allowPrivateNetworks: false, allowHttp: true)));

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri($"http://127.0.0.1:{port}/")));

        Assert.IsType<OutboundUrlRefusedException>(ex.InnerException);
        Assert.False(listener.Pending());
    }

    private static TcpListener Listen(out int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
        return listener;
    }
}
