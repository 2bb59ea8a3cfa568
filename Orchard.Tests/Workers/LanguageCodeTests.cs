using Orchard.Domain.Workers;

namespace Orchard.Tests.Workers;

public sealed class LanguageCodeTests
{
    [Theory]
    [InlineData("en", "en")]
    [InlineData("english", "en")]
    [InlineData(" English ", "en")]
    [InlineData("pt_BR", "pt")]
    [InlineData("pt-BR", "pt")]
    [InlineData("zh-Hant-TW", "zh")]
    [InlineData("JA", "ja")]
    [InlineData("japanese", "ja")]
    [InlineData("eng", "en")]
    [InlineData("haw", "haw")]
    [InlineData("haitian creole", "ht")]
    [InlineData("AUTO", "auto")]
    public void TryNormalize_MapsToTheCanonicalCode_WhenTheLanguageIsKnown(string value, string expected)
    {
        Assert.True(LanguageCode.TryNormalize(value, out var code));
        Assert.Equal(expected, code);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void TryNormalize_GivesNull_WhenNoLanguageIsGiven(string? value)
    {
        Assert.True(LanguageCode.TryNormalize(value, out var code));
        Assert.Null(code);
    }

    [Theory]
    [InlineData("xx")]
    [InlineData("klingon")]
    [InlineData("en;rm")]
    [InlineData("<script>")]
    [InlineData("e")]
    [InlineData("english-but-much-too-long-to-be-any-language-at-all")]
    public void TryNormalize_Refuses_WhenTheValueIsNotALanguage(string value) =>
        Assert.False(LanguageCode.TryNormalize(value, out _));

    [Fact]
    public void TheWorker_UsesTheSameRule()
    {
        foreach (var value in new[] { "english", "pt_BR", "xx", "auto", "JA-jp", "" })
        {
            var master = LanguageCode.TryNormalize(value, out var masterCode);
            var worker = Orchard.Worker.Contract.LanguageCode.TryNormalize(value, out var workerCode);
            Assert.Equal((master, masterCode), (worker, workerCode));
        }
    }
}
