using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchard.Domain.Application;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Domain.Storage;
using Orchard.Tests.Audio;
using Orchard.Tests.Functions.Orchestration;

namespace Orchard.Tests.Storage;

public sealed class LocalSourceCacheTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private LocalSourceCache Cache(bool enabled = true, long maxBytes = 1000, TimeSpan? maxAge = null) => new(
        Options.Create(new StorageOptions { LocalSourceCache = enabled, LocalSourceCacheMaxBytes = maxBytes, LocalSourceCacheMaxAge = maxAge ?? TimeSpan.FromHours(1) }),
        Options.Create(new LocalSourceCacheLocation { TempDirectory = dir.Path }),
        TimeProvider.System,
        NullLogger<LocalSourceCache>.Instance);

    /// <summary>An upload of <paramref name="bytes"/> bytes, last written <paramref name="age"/> ago.</summary>
    private string Upload(string name, int bytes, TimeSpan age)
    {
        var path = dir.File(name);
        File.WriteAllBytes(path, new byte[bytes]);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }

    private bool Cached(LocalSourceCache cache, string jobId) => File.Exists(Path.Combine(cache.Directory, jobId));

    [Fact]
    public void Keep_EvictsTheOldestCopiesFirst_WhenTheNewOneWouldPassMaxBytes()
    {
        var cache = Cache(maxBytes: 1000);
        cache.Keep("oldest", Upload("a", 400, TimeSpan.FromMinutes(3)));
        cache.Keep("older", Upload("b", 400, TimeSpan.FromMinutes(2)));

        cache.Keep("new", Upload("c", 400, TimeSpan.Zero));

        Assert.False(Cached(cache, "oldest"));
        Assert.True(Cached(cache, "older"));
        Assert.True(Cached(cache, "new"));
        Assert.True(new DirectoryInfo(cache.Directory).EnumerateFiles().Sum(f => f.Length) <= 1000);
    }

    [Fact]
    public void Keep_SweepsCopiesOlderThanMaxAge_WhateverTheirSize()
    {
        var cache = Cache(maxBytes: 1_000_000, maxAge: TimeSpan.FromMinutes(30));
        cache.Keep("stale", Upload("a", 10, TimeSpan.FromMinutes(31)));
        cache.Keep("fresh", Upload("b", 10, TimeSpan.FromMinutes(29)));

        cache.Keep("new", Upload("c", 10, TimeSpan.Zero));

        Assert.False(Cached(cache, "stale"));
        Assert.True(Cached(cache, "fresh"));
        Assert.True(Cached(cache, "new"));
    }

    [Fact]
    public void Keep_DeletesTheUploadInsteadOfCaching_WhenItAloneIsOverMaxBytes()
    {
        var cache = Cache(maxBytes: 100);
        cache.Keep("small", Upload("a", 50, TimeSpan.Zero));
        var large = Upload("b", 101, TimeSpan.Zero);

        cache.Keep("large", large);

        Assert.False(File.Exists(large));
        Assert.False(Cached(cache, "large"));
        Assert.True(Cached(cache, "small"));
    }

    [Fact]
    public void Keep_DeletesTheUpload_WhenTheCacheIsOff()
    {
        var cache = Cache(enabled: false);
        var upload = Upload("a", 10, TimeSpan.Zero);

        cache.Keep("job", upload);

        Assert.False(File.Exists(upload));
        Assert.False(cache.TryTake("job", dir.File("taken")));
        Assert.False(Directory.Exists(cache.Directory));
    }

    [Fact]
    public void Sweep_LeavesACopyAlone_OnceAPreparationHasTakenIt()
    {
        // Taking is a rename out of the directory: a copy being read is never where the sweep looks.
        var cache = Cache(maxAge: TimeSpan.FromMinutes(1));
        cache.Keep("job", Upload("a", 10, TimeSpan.FromMinutes(5)));
        var taken = dir.File("source");

        var took = cache.TryTake("job", taken);
        cache.Sweep();

        Assert.True(took);
        Assert.True(File.Exists(taken));
        Assert.False(Cached(cache, "job"));
    }

    [Theory]
    [InlineData("Development", null, true)]
    [InlineData("Production", null, false)]
    [InlineData(null, null, false)]
    [InlineData("Production", "true", true)]
    [InlineData("Development", "false", false)]
    public void AddOrchardStorage_TurnsTheCacheOnByDefaultOnlyInDevelopment(string? environment, string? setting, bool enabled)
    {
        var settings = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" };
        if (environment is not null)
        {
            settings["AZURE_FUNCTIONS_ENVIRONMENT"] = environment;
        }

        if (setting is not null)
        {
            settings["Storage:LocalSourceCache"] = setting;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddOrchardStorage().BuildServiceProvider();

        Assert.Equal(enabled, services.GetRequiredService<LocalSourceCache>().Enabled);
    }

    [Fact]
    public async Task PrepareAsync_DownloadsTheSourceBlob_WhenTheCachedCopyWasSwept()
    {
        await using var harness = await OrchestrationHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Storage:LocalSourceCache"] = "true",
            ["Audio:TempDirectory"] = dir.Path,
        });
        var cache = harness.Services.GetRequiredService<LocalSourceCache>();
        var recording = OrchestrationHarness.Recording(dir, 20, seed: 3).Path;
        JobSummary job;
        await using (var file = File.OpenRead(recording))
        {
            job = await harness.Services.GetRequiredService<JobSubmission>().SubmitAsync(file, "talk.wav", purify: false, language: null, CancellationToken.None);
        }

        var cachedAtSubmission = Cached(cache, job.JobId);
        File.Delete(Path.Combine(cache.Directory, job.JobId));
        var prepared = await harness.Services.GetRequiredService<JobPreparation>().PrepareAsync(job.JobId, purify: false, language: null, trustedOnly: false, CancellationToken.None);

        Assert.True(cachedAtSubmission);
        Assert.InRange(prepared.DurationMs, 19_900, 20_100);
        Assert.NotEmpty(prepared.SpeechChunks);
    }
}
