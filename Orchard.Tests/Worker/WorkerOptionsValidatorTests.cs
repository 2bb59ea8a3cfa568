using Orchard.Worker;
using Orchard.Worker.Core;

namespace Orchard.Tests.Worker;

public class WorkerOptionsValidatorTests
{
    private static IReadOnlyList<string> Failures(WorkerOptions options) =>
        new WorkerOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    [Fact]
    public void Validate_Succeeds_WithDefaultsOnThisMachine()
    {
        Assert.Empty(Failures(new WorkerOptions()));
    }

    [Fact]
    public void Validate_NamesModelPath_WhenWhisperHasNoModel()
    {
        var failure = Assert.Single(Failures(new WorkerOptions { Engine = "whisper" }));

        Assert.Contains("Worker:ModelPath", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NamesEngine_WhenEngineUnknown()
    {
        var failure = Assert.Single(Failures(new WorkerOptions { Engine = "vosk" }));

        Assert.Contains("Worker:Engine", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NamesEachBadUrl()
    {
        var failures = Failures(new WorkerOptions { Urls = "127.0.0.1:8080", MasterUrl = "ftp://master", PublicUrl = "not a url" });

        Assert.Equal(3, failures.Count);
        Assert.Contains(failures, f => f.Contains("Worker:Urls", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Worker:MasterUrl", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Worker:PublicUrl", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_AcceptsKestrelWildcards_InUrls()
    {
        Assert.Empty(Failures(new WorkerOptions { Urls = "http://0.0.0.0:8080; http://*:8081;http://+:8082" }));
    }

    [Fact]
    public void Validate_SaysHowToInstall_WhenPocketSphinxFilesMissing()
    {
        var failures = Failures(new WorkerOptions
        {
            PocketSphinxBinary = "no-such-pocketsphinx",
            PocketSphinxHmm = "/nonexistent/hmm",
            PocketSphinxLm = "/nonexistent/lm.bin",
            PocketSphinxDict = "/nonexistent/dict",
        });

        Assert.Equal(4, failures.Count);
        Assert.All(failures, f => Assert.Contains("apt-get install pocketsphinx pocketsphinx-en-us", f, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_RejectsOtherLanguages_ForPocketSphinx()
    {
        var failure = Assert.Single(Failures(new WorkerOptions { Language = "ja" }));

        Assert.Contains("English only", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RejectsUnknownModel_WhenWhisperDownloadsIt()
    {
        var failure = Assert.Single(Failures(new WorkerOptions { Engine = "whisper", ModelPath = "/m.bin", Model = "huge" }));

        Assert.Contains("Worker:Model", failure, StringComparison.Ordinal);
        Assert.Empty(Failures(new WorkerOptions { Engine = "whisper", ModelPath = "/m.bin", Model = "my-finetune", DownloadModel = false }));
    }

    [Fact]
    public void Validate_RejectsNonPositiveTimesAndSizes()
    {
        var failures = Failures(new WorkerOptions
        {
            Timeout = TimeSpan.Zero,
            QueueTimeout = TimeSpan.FromSeconds(-1),
            MaxAudioBytes = 0,
            RetryInitialDelay = TimeSpan.FromMinutes(5),
        });

        Assert.Equal(4, failures.Count);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("PULL")]
    [InlineData("push")]
    public void Validate_AcceptsEachMode_WithMasterUrl(string mode)
    {
        Assert.Empty(Failures(new WorkerOptions { Mode = mode, MasterUrl = "http://127.0.0.1:7071" }));
    }

    [Fact]
    public void Validate_NamesMode_WhenModeUnknown()
    {
        var failure = Assert.Single(Failures(new WorkerOptions { Mode = "poll" }));

        Assert.Contains("Worker:Mode", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NamesMasterUrlAndPublicUrl_WhenPullHasNoMasterButAPublicUrl()
    {
        var failures = Failures(new WorkerOptions { Mode = "pull", PublicUrl = "http://192.0.2.7:8080" });

        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.Contains("Worker:MasterUrl", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Worker:PublicUrl", StringComparison.Ordinal));
    }
}
