using System.Text;
using Orchard.Domain.Webhooks;

namespace Orchard.Tests.Webhooks;

public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec-0123456789abcdef0123456789abcdef";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"job_id\":\"j\",\"status\":\"completed\"}");
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_767_000_000);

    [Fact]
    public void Create_MatchesAKnownVector()
    {
        // From openssl: printf '%s' '1767000000.{"job_id":"j","status":"completed"}' | openssl dgst -sha256 -hmac "$secret"
        Assert.Equal(
            "t=1767000000,v1=e6e846de15b01ecc621bc585502b8bec72d90e75a604696c5e6c10c2dabba0e8",
            WebhookSignature.Create(Secret, Now.ToUnixTimeSeconds(), Body));
    }

    [Fact]
    public void Verify_Accepts_WhenSignedWithTheSecretWithinTolerance()
    {
        var header = WebhookSignature.Create(Secret, Now.ToUnixTimeSeconds(), Body);

        Assert.True(WebhookSignature.Verify(Secret, header, Body, Now.AddMinutes(4), TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Verify_Refuses_WhenBodySecretOrTimeDiffer()
    {
        var header = WebhookSignature.Create(Secret, Now.ToUnixTimeSeconds(), Body);
        var tampered = Encoding.UTF8.GetBytes("{\"job_id\":\"j\",\"status\":\"failed\"}");

        Assert.False(WebhookSignature.Verify(Secret, header, tampered, Now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret + "x", header, Body, Now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret, header, Body, Now.AddMinutes(6), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret, header.Replace("t=1767000000", "t=1767000001", StringComparison.Ordinal), Body, Now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret, "t=1767000000,v1=zz", Body, Now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret, null, Body, Now, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void DelayAfter_DoublesFromTheFirstDelay_AndIsBounded()
    {
        var schedule = CallbackSchedule.From(new WebhooksOptions());

        Assert.Equal(6, schedule.MaxAttempts);
        Assert.Equal(
            [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(8), TimeSpan.FromMinutes(16)],
            Enumerable.Range(1, 5).Select(schedule.DelayAfter));
        Assert.Equal(TimeSpan.FromHours(1), schedule.DelayAfter(19));
    }
}
