using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Orchard.Domain.Dashboard;

namespace Orchard.Tests.Dashboard;

public sealed class StreamTokensTests
{
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public void Issue_OpensOnlyItsOwnScope()
    {
        var tokens = Tokens(new ManualTime());
        var jobId = Guid.NewGuid().ToString("D");

        var events = tokens.Issue(null);
        var audio = tokens.Issue(jobId);

        Assert.True(tokens.IsValid(events.Token, StreamTokens.EventsScope));
        Assert.False(tokens.IsValid(events.Token, StreamTokens.AudioScope(jobId)));
        Assert.True(tokens.IsValid(audio.Token, StreamTokens.AudioScope(jobId)));
        Assert.False(tokens.IsValid(audio.Token, StreamTokens.AudioScope(Guid.NewGuid().ToString("D"))));
        Assert.False(tokens.IsValid(audio.Token, StreamTokens.EventsScope));
    }

    [Fact]
    public void IsValid_False_OnceTheLifetimeHasPassed()
    {
        var time = new ManualTime();
        var tokens = Tokens(time);
        var token = tokens.Issue(null);

        time.Advance(TimeSpan.FromMinutes(4));
        Assert.True(tokens.IsValid(token.Token, StreamTokens.EventsScope));
        time.Advance(TimeSpan.FromMinutes(1.1));
        Assert.False(tokens.IsValid(token.Token, StreamTokens.EventsScope));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("no-dot")]
    [InlineData(".")]
    [InlineData("!!!.???")]
    public void IsValid_False_ForMalformedTokens(string? token) =>
        Assert.False(Tokens(new ManualTime()).IsValid(token, StreamTokens.EventsScope));

    [Fact]
    public void IsValid_False_WhenThePayloadIsAlteredOrAnotherKeySigned()
    {
        var time = new ManualTime();
        var token = Tokens(time).Issue(null).Token;
        var payload = token[..token.IndexOf('.', StringComparison.Ordinal)];
        var forged = Convert.ToBase64String("9999999999|events"u8.ToArray()).TrimEnd('=') + token[payload.Length..];
        var other = new StreamTokens(Options.Create(new DashboardOptions { StreamTokenKey = Convert.ToBase64String(new byte[32]) }), time);

        Assert.False(Tokens(time).IsValid(forged, StreamTokens.EventsScope));
        Assert.False(other.IsValid(token, StreamTokens.EventsScope));
    }

    [Fact]
    public void Issue_Throws_WithoutAKeyOutsideDevelopment()
    {
        var tokens = new StreamTokens(Options.Create(new DashboardOptions()), new ManualTime());

        Assert.False(tokens.Available);
        Assert.Throws<StreamTokensUnavailableException>(() => tokens.Issue(null));
        Assert.False(tokens.IsValid("a.b", StreamTokens.EventsScope));
    }

    [Fact]
    public void Issue_UsesARandomKey_InDevelopmentWithoutOne()
    {
        var time = new ManualTime();
        var first = new StreamTokens(Options.Create(new DashboardOptions { EphemeralKeyAllowed = true }), time);
        var second = new StreamTokens(Options.Create(new DashboardOptions { EphemeralKeyAllowed = true }), time);

        var token = first.Issue(null).Token;

        Assert.True(first.IsValid(token, StreamTokens.EventsScope));
        Assert.False(second.IsValid(token, StreamTokens.EventsScope));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public void Validate_RejectsKeysThatAreNotBase64OfThirtyTwoBytes(string key)
    {
        var options = new DashboardOptions { StreamTokenKey = key };

        var results = options.Validate(new ValidationContext(options)).ToArray();

        Assert.Contains(results, r => r.ErrorMessage!.Contains("Dashboard:StreamTokenKey", StringComparison.Ordinal));
    }

    private static StreamTokens Tokens(TimeProvider time) => new(Options.Create(new DashboardOptions { StreamTokenKey = Key }), time);

    /// <summary>A clock the test moves by hand.</summary>
    internal sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
