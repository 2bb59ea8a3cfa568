using Orchard.Domain.Security;

namespace Orchard.Tests.Security;

public sealed class RequestCredentialsTests
{
    [Theory]
    [InlineData("198.51.100.7", "127.0.0.1", "198.51.100.7")]
    [InlineData("203.0.113.66, 198.51.100.7", "127.0.0.1", "198.51.100.7")]
    [InlineData("198.51.100.7, 10.0.0.4", "127.0.0.1", "198.51.100.7")]
    [InlineData("10.0.0.4", "127.0.0.1", "127.0.0.1")]
    [InlineData("not an address", "192.0.2.1", "192.0.2.1")]
    [InlineData(null, "192.0.2.1", "192.0.2.1")]
    public void ClientAddressFrom_TakesTheRightmostPublicForwardedAddress_ElseThePeer(string? forwardedFor, string peer, string expected) =>
        Assert.Equal(expected, RequestCredentials.ClientAddressFrom(forwardedFor, peer));

    [Fact]
    public void From_ReadsBearerAsAnOrchardKey_AndTheFunctionKeyFromHeaderOrQuery()
    {
        var headers = new Dictionary<string, string> { ["Authorization"] = "Bearer ock_abc", ["X-Orchard-Enrollment"] = " secret " };
        var query = new Dictionary<string, string> { ["code"] = "fn" };

        var credentials = RequestCredentials.From(h => headers.GetValueOrDefault(h), q => query.GetValueOrDefault(q), "192.0.2.1");

        Assert.Equal("ock_abc", credentials.OrchardKey);
        Assert.Equal("fn", credentials.PlatformKey);
        Assert.Equal("secret", credentials.EnrollmentSecret);
    }
}
