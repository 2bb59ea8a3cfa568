using Orchard.Domain.State;
using Orchard.Domain.Workers;
using Orchard.Tests.Builders;

namespace Orchard.Tests.State;

/// <summary>The behaviour every <see cref="IWorkerRegistry"/> must show; run against Redis and the in-memory fallback.</summary>
public abstract class WorkerRegistryContract
{
    private static readonly TimeSpan OfflineAfter = TimeSpan.FromMinutes(1);

    protected abstract IWorkerRegistry CreateRegistry(Action<StateOptions>? configure = null);

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Fact]
    public async Task AddAsync_UsesNormalizedUrlAsId_WhenSchemeMissing()
    {
        var registry = CreateRegistry();

        var worker = await registry.AddAsync(" 172.22.1.222:8080/ ");

        Assert.Equal("http://172.22.1.222:8080", worker.Id);
        Assert.Equal(worker.Id, worker.Url);
        Assert.Equal(WorkerStatus.Online, (await registry.GetAsync(worker.Id))!.EffectiveStatus(Now, OfflineAfter));
    }

    [Fact]
    public async Task AddAsync_Throws_WhenUrlAlreadyRegistered()
    {
        var registry = CreateRegistry();
        await registry.AddAsync("http://10.0.0.5:8080");

        await Assert.ThrowsAsync<DuplicateWorkerException>(() => registry.AddAsync("10.0.0.5:8080"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("ftp://host")]
    [InlineData("http://")]
    public async Task AddAsync_Throws_WhenUrlInvalid(string url)
    {
        var registry = CreateRegistry();

        await Assert.ThrowsAsync<InvalidWorkerUrlException>(() => registry.AddAsync(url));
    }

    [Fact]
    public async Task RegisterAsyncAndAddAsync_Throw_WhenMaxWorkersReached_ButExistingWorkersStillUpdate()
    {
        var registry = CreateRegistry(o => o.MaxWorkers = 2);
        var first = await registry.RegisterAsync(new WorkerRegistration(null, "a", "base"));
        await registry.AddAsync("http://10.0.0.5:8080");

        await Assert.ThrowsAsync<WorkerLimitReachedException>(() => registry.RegisterAsync(new WorkerRegistration(null, "c", "base")));
        await Assert.ThrowsAsync<WorkerLimitReachedException>(() => registry.AddAsync("http://10.0.0.6:8080"));
        var again = await registry.RegisterAsync(new WorkerRegistration(null, "a", "small", first.Id));
        await registry.RemoveAsync(first.Id);
        var afterRemoval = await registry.AddAsync("http://10.0.0.6:8080");

        Assert.Equal("small", again.Model);
        Assert.Equal("http://10.0.0.6:8080", afterRemoval.Id);
        Assert.Equal(2, (await registry.ListAsync()).Count);
    }

    [Fact]
    public async Task RegisterAsync_UpdatesInsteadOfDuplicating_WhenRegisteredAgain()
    {
        var registry = CreateRegistry();
        var first = await registry.RegisterAsync(new WorkerRegistration(null, "pixel-3", "base"));

        var again = await registry.RegisterAsync(new WorkerRegistration(null, "pixel-3", "small", first.Id));

        Assert.Equal(first.Id, again.Id);
        Assert.Equal("small", again.Model);
        Assert.Single(await registry.ListAsync());
    }

    [Fact]
    public async Task HeartbeatAsync_ReturnsNull_WhenWorkerUnknown()
    {
        var registry = CreateRegistry();

        Assert.Null(await registry.HeartbeatAsync("w-unknown"));
    }

    [Fact]
    public async Task HeartbeatAsync_BringsOfflineWorkerBack()
    {
        var registry = CreateRegistry();
        var worker = await registry.AddAsync("http://10.0.0.7:8080");
        await registry.RecordProbeAsync(worker.Id, healthy: false, "connection refused");
        Assert.Equal(WorkerStatus.Offline, (await registry.GetAsync(worker.Id))!.EffectiveStatus(Now, OfflineAfter));

        var back = await registry.HeartbeatAsync(worker.Id);

        Assert.Equal(WorkerStatus.Online, back!.EffectiveStatus(Now, OfflineAfter));
        Assert.Null(back.LastError);
    }

    [Fact]
    public async Task ClaimAsync_PrefersUnmeasuredThenFastest()
    {
        var registry = CreateRegistry();
        var slow = await registry.AddAsync("http://slow:1");
        var fast = await registry.AddAsync("http://fast:1");
        await Measure(registry, slow.Id, 0.5);
        await Measure(registry, fast.Id, 0.1);
        var fresh = await registry.AddAsync("http://fresh:1");

        var picks = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            picks.Add((await registry.ClaimAsync(WorkerBuilder.Claim($"c{i}")))?.Worker.Id ?? "none");
        }

        Assert.Equal([fresh.Id, fast.Id, slow.Id, "none"], picks);
    }

    [Fact]
    public async Task ClaimAsync_ReturnsTheFirstClaim_WhenRetriedWithTheSameToken()
    {
        var registry = CreateRegistry();
        await registry.AddAsync("http://10.0.0.1:8080");
        await registry.AddAsync("http://10.0.0.2:8080");

        var first = await registry.ClaimAsync(WorkerBuilder.Claim("c0") with { Token = "retried" });
        var again = await registry.ClaimAsync(WorkerBuilder.Claim("c0") with { Token = "retried" });
        var other = await registry.ClaimAsync(WorkerBuilder.Claim("c1") with { Token = "fresh" });

        Assert.NotNull(first);
        Assert.Equal(first.Worker.Id, again!.Worker.Id);
        Assert.Equal(first.Claim.LeaseUntilMs, again.Claim.LeaseUntilMs);
        Assert.NotNull(other);
        Assert.NotEqual(first.Worker.Id, other.Worker.Id);
    }

    [Fact]
    public async Task ClaimAsync_ClaimsOnlyWorkersServingTheLanguage_AndRegisteringAgainReplacesTheLanguages()
    {
        var registry = CreateRegistry();
        var english = await registry.RegisterAsync(new WorkerRegistration("http://10.0.0.1:8080", "sphinx", "en-us", Languages: ["English", "en-US"]));

        var japanese = await registry.ClaimAsync(WorkerBuilder.Claim("c0") with { Language = "ja" });
        var detected = await registry.ClaimAsync(WorkerBuilder.Claim("c1") with { Language = "auto" });
        await registry.ReleaseAsync(detected!.Worker.Id, detected.Claim.Token, ReleaseOutcome.Succeeded, null, null);
        var anyLanguage = await registry.RegisterAsync(new WorkerRegistration("http://10.0.0.1:8080", "whisper", "base"));
        var japaneseNow = await registry.ClaimAsync(WorkerBuilder.Claim("c2") with { Language = "ja" });

        Assert.Equal(["en"], english.Languages);
        Assert.Null(japanese);
        Assert.Equal(english.Id, detected.Worker.Id);
        Assert.Null(anyLanguage.Languages);
        Assert.Equal(english.Id, japaneseNow?.Worker.Id);
    }

    [Theory]
    [InlineData("klingon")]
    [InlineData("")]
    public async Task RegisterAsync_Throws_WhenADeclaredLanguageIsUnknown(string language)
    {
        var registry = CreateRegistry();

        var refused = await Assert.ThrowsAsync<InvalidWorkerRegistrationException>(() => registry.RegisterAsync(new WorkerRegistration(null, "w", "m", Languages: [language])));

        Assert.Contains("not a language", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReleaseAsync_CountsAHandedOverSuccessOnce_WhenTheClaimIsReturnedUnused()
    {
        var registry = CreateRegistry();
        await registry.AddAsync("http://10.0.0.1:8080");
        var claimed = (await registry.ClaimAsync(WorkerBuilder.Claim()))!;

        Assert.True(await registry.HandOverAsync(claimed.Worker.Id, claimed.Claim.Token, WorkerBuilder.Sample(0.1), TimeSpan.FromSeconds(30)));
        Assert.True(await registry.ReleaseAsync(claimed.Worker.Id, claimed.Claim.Token, ReleaseOutcome.Returned, null, null));
        var worker = (await registry.GetAsync(claimed.Worker.Id))!;

        Assert.Equal((1, 0, 0), (worker.CompletedChunks, worker.FailedChunks, worker.ConsecutiveFailures));
        Assert.Null(worker.Claim);
        Assert.Single(worker.Performance);
        Assert.Equal(WorkerStatus.Online, worker.EffectiveStatus(Now, OfflineAfter));
    }

    [Fact]
    public async Task ClaimAsync_SkipsOfflineAndUrlLessWorkers()
    {
        var registry = CreateRegistry();
        var offline = await registry.AddAsync("http://down:1");
        await registry.RecordProbeAsync(offline.Id, healthy: false, "timeout");
        await registry.RegisterAsync(new WorkerRegistration(null, "puller", "base"));

        Assert.Null(await registry.ClaimAsync(WorkerBuilder.Claim()));
    }

    [Fact]
    public async Task ClaimAsync_FreesWorker_WhenLeaseExpires()
    {
        var registry = CreateRegistry();
        var worker = await registry.AddAsync("http://w:1");
        // Generous against a loaded CI machine: the checks right after the claim must land inside the lease.
        var claimed = await registry.ClaimAsync(WorkerBuilder.Claim(lease: TimeSpan.FromSeconds(3)));
        Assert.Equal(WorkerStatus.Busy, (await registry.GetAsync(worker.Id))!.EffectiveStatus(Now, OfflineAfter));
        Assert.Null(await registry.ClaimAsync(WorkerBuilder.Claim()));

        await Task.Delay(3200);

        var again = await registry.ClaimAsync(WorkerBuilder.Claim());
        Assert.NotNull(again);
        Assert.NotEqual(claimed!.Claim.Token, again.Claim.Token);
        Assert.False(await registry.ReleaseAsync(worker.Id, claimed.Claim.Token, ReleaseOutcome.Succeeded, null, null));
    }

    [Fact]
    public async Task ClaimWorkerAsync_ReturnsNull_WhenThatWorkerIsBusy()
    {
        var registry = CreateRegistry();
        var worker = await registry.AddAsync("http://w:2");
        Assert.NotNull(await registry.ClaimWorkerAsync(worker.Id, WorkerBuilder.Claim()));

        Assert.Null(await registry.ClaimWorkerAsync(worker.Id, WorkerBuilder.Claim()));
    }

    [Fact]
    public async Task ReleaseAsync_KeepsLast20Samples_AndAveragesLast10()
    {
        var registry = CreateRegistry();
        var worker = await registry.AddAsync("http://w:3");
        for (var i = 1; i <= 25; i++)
        {
            await Measure(registry, worker.Id, i / 100.0);
        }

        var read = (await registry.GetAsync(worker.Id))!;

        Assert.Equal(20, read.Performance.Count);
        Assert.Equal(0.06, read.Performance[0].SpeedRatio, 6);
        Assert.Equal(0.205, read.AverageSpeedRatio!.Value, 6);
        Assert.Equal(25, read.CompletedChunks);
        Assert.Equal(WorkerStatus.Online, read.EffectiveStatus(Now, OfflineAfter));
    }

    [Fact]
    public async Task ReleaseAsync_MarksOffline_WhenWorkerUnreachable()
    {
        var registry = CreateRegistry();
        var worker = await registry.AddAsync("http://w:4");
        var claim = (await registry.ClaimAsync(WorkerBuilder.Claim()))!;

        Assert.True(await registry.ReleaseAsync(worker.Id, claim.Claim.Token, ReleaseOutcome.Unreachable, null, "connection refused"));

        var read = (await registry.GetAsync(worker.Id))!;
        Assert.Equal(WorkerStatus.Offline, read.EffectiveStatus(Now, OfflineAfter));
        Assert.Equal("connection refused", read.LastError);
        Assert.Null(await registry.ClaimAsync(WorkerBuilder.Claim()));
    }

    [Fact]
    public async Task ClaimAsync_SkipsWorkerCoolingDown_AfterItFailed()
    {
        var registry = CreateRegistry();
        var failing = await registry.AddAsync("http://failing:1");
        var claim = (await registry.ClaimAsync(WorkerBuilder.Claim()))!;
        await registry.ReleaseAsync(failing.Id, claim.Claim.Token, ReleaseOutcome.Failed, null, "HTTP 500");

        Assert.Null(await registry.ClaimAsync(WorkerBuilder.Claim()));
        await Task.Delay(1100);

        Assert.NotNull(await registry.ClaimAsync(WorkerBuilder.Claim()));
    }

    [Fact]
    public async Task ReleaseAsync_NeitherCoolsDownNorCountsAFailure_WhenTheWorkerDeclined()
    {
        var registry = CreateRegistry();
        var worker = await registry.AddAsync("http://english-only:1");
        var claim = (await registry.ClaimAsync(WorkerBuilder.Claim()))!;

        Assert.True(await registry.ReleaseAsync(worker.Id, claim.Claim.Token, ReleaseOutcome.Declined, null, "HTTP 422: English only"));

        var read = (await registry.GetAsync(worker.Id))!;
        Assert.Equal((0, 0, 0L, "HTTP 422: English only"), (read.FailedChunks, read.ConsecutiveFailures, read.CooldownUntilMs, read.LastError));
        Assert.Equal(WorkerStatus.Online, read.EffectiveStatus(Now, OfflineAfter));
        Assert.NotNull(await registry.ClaimAsync(WorkerBuilder.Claim()));
    }

    [Fact]
    public async Task ClaimAsync_PassesOverExcludedWorkers()
    {
        var registry = CreateRegistry();
        var declined = await registry.AddAsync("http://declined:1");
        var other = await registry.AddAsync("http://other:1");

        var claimed = (await registry.ClaimAsync(WorkerBuilder.Claim() with { Exclude = [declined.Id] }))!;

        Assert.Equal(other.Id, claimed.Worker.Id);
        Assert.Null(await registry.ClaimAsync(WorkerBuilder.Claim() with { Exclude = [declined.Id] }));
        Assert.Equal(declined.Id, (await registry.ClaimAsync(WorkerBuilder.Claim()))!.Worker.Id);
    }

    [Fact]
    public async Task ClaimAsync_GivesUnmeasuredWorkerTheShortChunk_WithLeaseFromPlan()
    {
        var registry = CreateRegistry();
        await registry.AddAsync("http://new:1");
        var plan = new LeasePlan("short", LongAudioSeconds: 180, ShortAudioSeconds: 30, SafetyFactor: 2, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10), UnmeasuredRatio: 1);

        var claimed = (await registry.ClaimAsync(WorkerBuilder.Claim("long") with { Plan = plan }))!;

        Assert.Equal("short", claimed.Claim.ChunkId);
        Assert.InRange(claimed.Claim.LeaseUntilMs - claimed.Claim.ClaimedAtMs, 69_000, 70_000);
    }

    [Fact]
    public async Task ClaimAsync_GivesSlowWorkerTheShortChunk_WhileAMuchFasterOneIsOnline()
    {
        var registry = CreateRegistry();
        var fast = await registry.AddAsync("http://fast:2");
        var slow = await registry.AddAsync("http://slow:2");
        await Measure(registry, fast.Id, 0.01);
        await Measure(registry, slow.Id, 0.04);
        var plan = new LeasePlan("short", LongAudioSeconds: 180, ShortAudioSeconds: 30, SafetyFactor: 2, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10), UnmeasuredRatio: 1);
        Assert.Equal(fast.Id, (await registry.ClaimAsync(WorkerBuilder.Claim("long") with { Plan = plan }))!.Worker.Id);

        var second = (await registry.ClaimAsync(WorkerBuilder.Claim("long") with { Plan = plan }))!;

        Assert.Equal(slow.Id, second.Worker.Id);
        Assert.Equal("short", second.Claim.ChunkId);
    }

    [Fact]
    public async Task ReleaseAsync_IgnoresStaleToken()
    {
        var registry = CreateRegistry();
        var worker = await registry.AddAsync("http://w:5");
        await registry.ClaimAsync(WorkerBuilder.Claim());

        Assert.False(await registry.ReleaseAsync(worker.Id, "someone-else", ReleaseOutcome.Succeeded, null, null));
        Assert.Equal(WorkerStatus.Busy, (await registry.GetAsync(worker.Id))!.EffectiveStatus(Now, OfflineAfter));
    }

    [Fact]
    public async Task EffectiveStatus_IsOffline_WhenHeartbeatsStop()
    {
        var registry = CreateRegistry(o => o.WorkerOfflineAfter = TimeSpan.FromMilliseconds(300));
        var worker = await registry.RegisterAsync(new WorkerRegistration("http://w:6", "gpu", "large-v2"));

        await Task.Delay(400);

        var read = (await registry.GetAsync(worker.Id))!;
        Assert.Equal(WorkerStatus.Offline, read.EffectiveStatus(Now, TimeSpan.FromMilliseconds(300)));
        Assert.Null(await registry.ClaimAsync(WorkerBuilder.Claim()));
        Assert.Equal(new WorkerStats(1, 0, 0, 1), await registry.GetStatsAsync());
    }

    [Fact]
    public async Task ListAsync_ForgetsWorker_AfterExpiry()
    {
        var registry = CreateRegistry(o =>
        {
            o.WorkerOfflineAfter = TimeSpan.FromMilliseconds(200);
            o.WorkerExpiry = TimeSpan.FromMilliseconds(500);
        });
        await registry.AddAsync("http://w:7");

        await Task.Delay(700);

        Assert.Empty(await registry.ListAsync());
        Assert.Equal(new WorkerStats(0, 0, 0, 0), await registry.GetStatsAsync());
    }

    [Fact]
    public async Task ListAsync_KeepsBusyWorker_WhileClaimOutlivesExpiry()
    {
        var registry = CreateRegistry(o =>
        {
            o.WorkerOfflineAfter = TimeSpan.FromMilliseconds(200);
            o.WorkerExpiry = TimeSpan.FromMilliseconds(300);
        });
        var worker = await registry.AddAsync("http://w:8");
        await registry.ClaimAsync(WorkerBuilder.Claim(lease: TimeSpan.FromSeconds(5)));

        await Task.Delay(500);

        var read = Assert.Single(await registry.ListAsync());
        Assert.Equal(WorkerStatus.Busy, read.EffectiveStatus(Now, TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task GetStatsAsync_CountsByStatus()
    {
        var registry = CreateRegistry();
        await registry.AddAsync("http://a:1");
        var down = await registry.AddAsync("http://b:1");
        await registry.AddAsync("http://c:1");
        await registry.RecordProbeAsync(down.Id, healthy: false, "refused");
        await registry.ClaimAsync(WorkerBuilder.Claim());

        Assert.Equal(new WorkerStats(Total: 3, Online: 1, Busy: 1, Offline: 1), await registry.GetStatsAsync());
    }

    [Fact]
    public async Task RemoveAsync_ReturnsFalse_WhenUnknown()
    {
        var registry = CreateRegistry();
        var worker = await registry.AddAsync("http://w:9");

        Assert.True(await registry.RemoveAsync(worker.Id));
        Assert.False(await registry.RemoveAsync(worker.Id));
        Assert.Empty(await registry.ListAsync());
    }

    private static async Task Measure(IWorkerRegistry registry, string workerId, double ratio)
    {
        var claim = await registry.ClaimWorkerAsync(workerId, WorkerBuilder.Claim());
        Assert.NotNull(claim);
        Assert.True(await registry.ReleaseAsync(workerId, claim.Claim.Token, ReleaseOutcome.Succeeded, WorkerBuilder.Sample(ratio), null));
    }
}
