using Orchard.Domain.Workers;

namespace Orchard.Tests.Workers;

public sealed class TrustPolicyTests
{
    private static readonly WorkersOptions On = new() { Verification = true, VerifyAnswers = 2, SpotCheckFraction = 0.05 };

    [Theory]
    [InlineData("the quick brown fox", "The quick, brown fox!", 1.0)]
    [InlineData("the quick brown fox", "the quick brown box", 0.75)]
    [InlineData("", "", 1.0)]
    [InlineData("hello world", "", 0.0)]
    [InlineData("buy cheap pills now", "the lecture starts with thermodynamics", 0.0)]
    public void Agreement_CountsMatchingWordsInOrder_IgnoringCaseAndPunctuation(string a, string b, double expected) =>
        Assert.Equal(expected, TrustPolicy.Agreement(a, b), 3);

    [Fact]
    public void Agreement_StaysAboveTheDefaultThreshold_ForModelsThatDifferOnSomeWords()
    {
        // Whisper tiny against large on the same sentence: a few words differ, most agree.
        var agreement = TrustPolicy.Agreement(
            "so today we will talk about the second law of thermodynamics and entropy",
            "so today we'll talk about the second law of thermo dynamics and entropy");

        Assert.InRange(agreement, new WorkersOptions().AgreementThreshold, 1);
    }

    [Fact]
    public void NeedsCheck_ChecksUnverifiedAlways_TrustedNever_AndVerifiedAtTheStatedShare()
    {
        var verified = new global::Orchard.Domain.Workers.Worker { Id = "v", Trust = WorkerTrust.Verified };
        var checkedShare = Enumerable.Range(0, 4000).Count(i => TrustPolicy.NeedsCheck(verified, $"lease-{i}", On)) / 4000.0;

        Assert.True(TrustPolicy.NeedsCheck(new global::Orchard.Domain.Workers.Worker { Id = "u", Trust = WorkerTrust.Unverified }, "l", On));
        Assert.False(TrustPolicy.NeedsCheck(new global::Orchard.Domain.Workers.Worker { Id = "t" }, "l", On));
        Assert.False(TrustPolicy.NeedsCheck(new global::Orchard.Domain.Workers.Worker { Id = "u", Trust = WorkerTrust.Unverified }, "l", new WorkersOptions { Verification = false }));
        Assert.InRange(checkedShare, 0.03, 0.07);
        Assert.Equal(TrustPolicy.NeedsCheck(verified, "lease-7", On), TrustPolicy.NeedsCheck(verified, "lease-7", On));
    }

    [Fact]
    public void MayServeTrustedOnly_OnlyTheAdministratorsWorkers()
    {
        Assert.True(TrustPolicy.MayServeTrustedOnly(new global::Orchard.Domain.Workers.Worker { Id = "t" }));
        Assert.False(TrustPolicy.MayServeTrustedOnly(new global::Orchard.Domain.Workers.Worker { Id = "v", Trust = WorkerTrust.Verified }));
        Assert.False(TrustPolicy.MayServeTrustedOnly(new global::Orchard.Domain.Workers.Worker { Id = "q", Trust = WorkerTrust.Quarantined }));
    }
}
