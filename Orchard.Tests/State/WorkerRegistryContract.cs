using Orchard.Domain.State;
using Orchard.Domain.Workers;
using Orchard.Tests.Builders;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.State;

/// <summary>The behaviour every <see cref="IWorkerRegistry"/> must show; run against Redis and the in-memory fallback.</summary>
public abstract class WorkerRegistryContract
{
    private static readonly TimeSpan OfflineAfter = TimeSpan.FromMinutes(1);

    protected abstract IWorkerRegistry CreateRegistry(Action<StateOptions>? configure = null);

    /// <summary>The ready queue over the same store as <paramref name="registry"/> (the last one created).</summary>
    protected abstract ILeaseStore LeasesFor(IWorkerRegistry registry);

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
    public async Task EffectiveStatus_IsOffline_WhenHeartbeatsStop()
    {
        var registry = CreateRegistry(o => o.WorkerOfflineAfter = TimeSpan.FromMilliseconds(300));
        var worker = await registry.RegisterAsync(new WorkerRegistration("http://w:6", "gpu", "large-v2"));

        await Task.Delay(400);

        var read = (await registry.GetAsync(worker.Id))!;
        Assert.Equal(WorkerStatus.Offline, read.EffectiveStatus(Now, TimeSpan.FromMilliseconds(300)));
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
        var leases = LeasesFor(registry);
        await leases.OfferAsync([WorkerBuilder.Offer(0)]);
        await leases.TakeAsync(WorkerBuilder.Lease(worker.Id, ttl: TimeSpan.FromSeconds(5)));

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
        var leases = LeasesFor(registry);
        await leases.OfferAsync([WorkerBuilder.Offer(0)]);
        await leases.TakeAsync(WorkerBuilder.Lease("http://a:1"));

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

    [Fact]
    public async Task TakeAsync_GivesTheLongestOrShortestReadyChunk_AsPicked()
    {
        var registry = CreateRegistry();
        var leases = LeasesFor(registry);
        var fast = await registry.RegisterAsync(new WorkerRegistration(null, "fast", "base"));
        var slow = await registry.RegisterAsync(new WorkerRegistration(null, "slow", "base"));
        Assert.Equal(3, await leases.OfferAsync([WorkerBuilder.Offer(0, 30), WorkerBuilder.Offer(1, 90), WorkerBuilder.Offer(2, 60)]));

        var longest = await leases.TakeAsync(WorkerBuilder.Lease(fast.Id, LeasePick.Longest));
        var shortest = await leases.TakeAsync(WorkerBuilder.Lease(slow.Id, LeasePick.Shortest));

        Assert.Equal(1, longest.Lease!.Index);
        Assert.Equal(0, shortest.Lease!.Index);
        Assert.Equal(WorkerStatus.Busy, (await registry.GetAsync(fast.Id))!.EffectiveStatus(Now, OfflineAfter));
        Assert.Equal(longest.Lease.LeaseId, (await registry.GetAsync(fast.Id))!.Claim!.Token);
    }

    [Fact]
    public async Task TakeAsync_ReturnsTheSameLease_WhenTheWorkerAsksAgain_AndNeverLeasesAChunkTwice()
    {
        var registry = CreateRegistry();
        var leases = LeasesFor(registry);
        var a = await registry.RegisterAsync(new WorkerRegistration(null, "a", "base"));
        var b = await registry.RegisterAsync(new WorkerRegistration(null, "b", "base"));
        await leases.OfferAsync([WorkerBuilder.Offer(0)]);

        var first = await leases.TakeAsync(WorkerBuilder.Lease(a.Id));
        var again = await leases.TakeAsync(WorkerBuilder.Lease(a.Id));
        var other = await leases.TakeAsync(WorkerBuilder.Lease(b.Id));

        Assert.Equal(first.Lease!.LeaseId, again.Lease!.LeaseId);
        Assert.Equal(LeaseTakeStatus.NoWork, other.Status);
        Assert.Equal(0, await leases.OfferAsync([WorkerBuilder.Offer(0)]));
        Assert.Equal(LeaseTakeStatus.UnknownWorker, (await leases.TakeAsync(WorkerBuilder.Lease("nobody"))).Status);
    }

    [Fact]
    public async Task TakeAsync_OffersAChunkOnlyToWorkersThatServeItsLanguage_AndAreNotExcluded()
    {
        var registry = CreateRegistry();
        var leases = LeasesFor(registry);
        var english = await registry.RegisterAsync(new WorkerRegistration(null, "en", "base", Languages: ["en"]));
        var any = await registry.RegisterAsync(new WorkerRegistration(null, "any", "base"));
        await leases.OfferAsync([WorkerBuilder.Offer(0, language: "ja") with { Exclude = [] }, WorkerBuilder.Offer(1, 10) with { Exclude = [any.Id] }]);

        Assert.Equal(1, (await leases.TakeAsync(WorkerBuilder.Lease(english.Id))).Lease!.Index);
        Assert.Equal(0, (await leases.TakeAsync(WorkerBuilder.Lease(any.Id))).Lease!.Index);
    }

    [Fact]
    public async Task TakeAsync_LeasesAChunkOfferedLater_WhenItFoundNothingItMayTakeBefore()
    {
        var registry = CreateRegistry();
        var leases = LeasesFor(registry);
        var english = await registry.RegisterAsync(new WorkerRegistration(null, "en", "base", Languages: ["en"]));
        await leases.OfferAsync([WorkerBuilder.Offer(0, language: "ja")]);
        Assert.Equal(LeaseTakeStatus.NoWork, (await leases.TakeAsync(WorkerBuilder.Lease(english.Id))).Status);
        Assert.Equal(LeaseTakeStatus.NoWork, (await leases.TakeAsync(WorkerBuilder.Lease(english.Id))).Status);

        await leases.OfferAsync([WorkerBuilder.Offer(1, language: "en")]);

        Assert.Equal(1, (await leases.TakeAsync(WorkerBuilder.Lease(english.Id))).Lease!.Index);
    }

    [Fact]
    public async Task TakeAsync_ReturnsTheWorkerAsTheLeaseLeftIt_WhenItLeases()
    {
        var registry = CreateRegistry();
        var leases = LeasesFor(registry);
        var worker = await registry.RegisterAsync(new WorkerRegistration(null, "w", "base"));
        await leases.OfferAsync([WorkerBuilder.Offer(0)]);

        var take = await leases.TakeAsync(WorkerBuilder.Lease(worker.Id));

        Assert.Equal(worker.Id, take.Worker!.Id);
        Assert.Equal(take.Lease!.LeaseId, take.Worker.Claim!.Token);
        Assert.Equal(WorkerStatus.Busy, take.Worker.Status);
    }

    [Fact]
    public async Task OfferAsync_MakesAHedgeReady_OnlyForAMeasuredWorkerFastEnough_WhileTheChunkIsLeased()
    {
        var registry = CreateRegistry();
        var leases = LeasesFor(registry);
        var straggler = await registry.RegisterAsync(new WorkerRegistration(null, "straggler", "base"));
        var slow = await registry.RegisterAsync(new WorkerRegistration(null, "slow", "base"));
        var fast = await registry.RegisterAsync(new WorkerRegistration(null, "fast", "base"));
        await Measure(registry, leases, slow.Id, 0.5);
        await Measure(registry, leases, fast.Id, 0.05);
        await leases.OfferAsync([WorkerBuilder.Offer(0)]);
        var first = (await leases.TakeAsync(WorkerBuilder.Lease(straggler.Id))).Lease!;

        Assert.Equal(0, await leases.OfferAsync([WorkerBuilder.Offer(0)]));
        Assert.Equal(1, await leases.OfferAsync([WorkerBuilder.Offer(0) with { Hedge = true, Exclude = [straggler.Id], MaxRatio = 0.1, Attempt = 2 }]));
        Assert.Equal(LeaseTakeStatus.NoWork, (await leases.TakeAsync(WorkerBuilder.Lease(slow.Id))).Status);
        var hedge = (await leases.TakeAsync(WorkerBuilder.Lease(fast.Id))).Lease!;

        Assert.Equal(2, hedge.Attempt);
        var states = await leases.InspectAsync("job", [0]);
        Assert.Equal(2, states[0].Leases.Count);
        Assert.False(states[0].Ready);
        var won = await leases.EndAsync(hedge.LeaseId, ReleaseOutcome.Succeeded, WorkerBuilder.Sample(0.05), null);
        Assert.True(won!.Won);
        Assert.Equal(first.LeaseId, Assert.Single(won.Cancelled).LeaseId);
        Assert.Null(await leases.RenewAsync(first.LeaseId, straggler.Id, TimeSpan.FromMinutes(1)));
        Assert.Null(await leases.EndAsync(first.LeaseId, ReleaseOutcome.Succeeded, null, null));
        var loser = (await registry.GetAsync(straggler.Id))!;
        Assert.Equal(0, loser.CompletedChunks);
        Assert.Equal(0, loser.FailedChunks);
        Assert.Null(loser.Claim);
        Assert.Equal(0, await leases.OfferAsync([WorkerBuilder.Offer(0)]));
    }

    [Fact]
    public async Task EndAsync_RemembersTheEndedLeaseAsEndedAndNeverLive_WhenItIsAnsweredOrEndedAgain()
    {
        var registry = CreateRegistry();
        var leases = LeasesFor(registry);
        var worker = await registry.RegisterAsync(new WorkerRegistration(null, "w", "base"));
        await leases.OfferAsync([WorkerBuilder.Offer(0)]);
        var lease = (await leases.TakeAsync(WorkerBuilder.Lease(worker.Id, ttl: TimeSpan.FromMinutes(1)))).Lease!;

        Assert.True((await leases.EndAsync(lease.LeaseId, ReleaseOutcome.Succeeded, WorkerBuilder.Sample(0.05), null))!.Won);

        // A repeated answer must still find whose lease it was and which chunk it held.
        var remembered = (await leases.GetAsync(lease.LeaseId))!;
        Assert.Equal((worker.Id, lease.JobId, lease.Index), (remembered.WorkerId, remembered.JobId, remembered.Index));
        Assert.True(remembered.ExpiresAtMs <= Now, "an ended lease must read as expired");
        Assert.Null(await leases.RenewAsync(lease.LeaseId, worker.Id, TimeSpan.FromMinutes(1)));
        Assert.Null(await leases.EndAsync(lease.LeaseId, ReleaseOutcome.Succeeded, WorkerBuilder.Sample(0.05), null));
        Assert.Empty((await leases.InspectAsync(lease.JobId, [lease.Index]))[0].Leases);
        var after = (await registry.GetAsync(worker.Id))!;
        Assert.Equal(1, after.CompletedChunks);
        Assert.Single(after.Performance);
    }

    [Fact]
    public async Task RenewAsync_ExtendsOnlyTheWorkersOwnLiveLease()
    {
        var registry = CreateRegistry();
        var leases = LeasesFor(registry);
        var worker = await registry.RegisterAsync(new WorkerRegistration(null, "w", "base"));
        await leases.OfferAsync([WorkerBuilder.Offer(0)]);
        var lease = (await leases.TakeAsync(WorkerBuilder.Lease(worker.Id, ttl: TimeSpan.FromSeconds(5)))).Lease!;

        var renewed = await leases.RenewAsync(lease.LeaseId, worker.Id, TimeSpan.FromMinutes(1));

        Assert.True(renewed!.ExpiresAtMs > lease.ExpiresAtMs);
        Assert.Null(await leases.RenewAsync(lease.LeaseId, "someone-else", TimeSpan.FromMinutes(1)));
        Assert.Null(await leases.RenewAsync("unknown", worker.Id, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task ReapAsync_EndsALeaseNotRenewedInTime_AndMarksItsWorkerOffline()
    {
        var registry = CreateRegistry();
        var leases = LeasesFor(registry);
        var worker = await registry.RegisterAsync(new WorkerRegistration(null, "w", "base"));
        await leases.OfferAsync([WorkerBuilder.Offer(0)]);
        var lease = (await leases.TakeAsync(WorkerBuilder.Lease(worker.Id, ttl: TimeSpan.FromMilliseconds(300)))).Lease!;

        IReadOnlyList<ChunkLease> reaped = [];
        await Poll.UntilAsync(async () => (reaped = await leases.ReapAsync(10)).Count > 0, "the lease to expire");

        Assert.Equal(lease.LeaseId, Assert.Single(reaped).LeaseId);
        var after = (await registry.GetAsync(worker.Id))!;
        Assert.Equal(WorkerStatus.Offline, after.Status);
        Assert.Equal(1, after.FailedChunks);
        Assert.Null(await leases.RenewAsync(lease.LeaseId, worker.Id, TimeSpan.FromMinutes(1)));
        Assert.Equal(1, await leases.OfferAsync([WorkerBuilder.Offer(0) with { Attempt = 2 }]));
    }

    [Fact]
    public async Task EndAsync_KeepsLast20Samples_AndAveragesLast10()
    {
        var registry = CreateRegistry();
        var leases = LeasesFor(registry);
        var worker = await registry.RegisterAsync(new WorkerRegistration(null, "w", "base"));

        for (var i = 1; i <= 25; i++)
        {
            await Measure(registry, leases, worker.Id, i / 100.0);
        }

        var stored = (await registry.GetAsync(worker.Id))!;
        Assert.Equal(20, stored.Performance.Count);
        Assert.Equal(0.205, stored.AverageSpeedRatio!.Value, 3);
        Assert.Equal(25, stored.CompletedChunks);
    }

    [Fact]
    public async Task EndAsync_CoolsDownAFailedWorker_ButNotOneThatDeclined()
    {
        var registry = CreateRegistry();
        var leases = LeasesFor(registry);
        var failing = await registry.RegisterAsync(new WorkerRegistration(null, "failing", "base"));
        var declining = await registry.RegisterAsync(new WorkerRegistration(null, "declining", "base"));
        await leases.OfferAsync([WorkerBuilder.Offer(0), WorkerBuilder.Offer(1)]);
        var failed = (await leases.TakeAsync(WorkerBuilder.Lease(failing.Id))).Lease!;
        var declined = (await leases.TakeAsync(WorkerBuilder.Lease(declining.Id))).Lease!;

        await leases.EndAsync(failed.LeaseId, ReleaseOutcome.Failed, null, "out of memory");
        await leases.EndAsync(declined.LeaseId, ReleaseOutcome.Declined, null, "no Japanese");
        await leases.OfferAsync([WorkerBuilder.Offer(0) with { Attempt = 2 }, WorkerBuilder.Offer(1)]);

        Assert.Equal(LeaseTakeStatus.Cooling, (await leases.TakeAsync(WorkerBuilder.Lease(failing.Id))).Status);
        Assert.Equal(LeaseTakeStatus.Leased, (await leases.TakeAsync(WorkerBuilder.Lease(declining.Id))).Status);
        Assert.Equal(1, (await registry.GetAsync(failing.Id))!.FailedChunks);
        Assert.Equal(0, (await registry.GetAsync(declining.Id))!.FailedChunks);
    }

    [Fact]
    public async Task WithdrawAsync_TakesAJobsChunksOutOfTheQueue_AndFreesItsWorkers()
    {
        var registry = CreateRegistry();
        var leases = LeasesFor(registry);
        var worker = await registry.RegisterAsync(new WorkerRegistration(null, "w", "base"));
        var other = await registry.RegisterAsync(new WorkerRegistration(null, "o", "base"));
        await leases.OfferAsync([WorkerBuilder.Offer(0), WorkerBuilder.Offer(1, 10)]);
        var lease = (await leases.TakeAsync(WorkerBuilder.Lease(worker.Id))).Lease!;

        await leases.WithdrawAsync("job", [0, 1]);

        Assert.Equal(LeaseTakeStatus.NoWork, (await leases.TakeAsync(WorkerBuilder.Lease(other.Id))).Status);
        Assert.Null((await registry.GetAsync(worker.Id))!.Claim);
        Assert.True((await leases.GetAsync(lease.LeaseId))!.ExpiresAtMs <= Now, "a withdrawn lease must read as ended");
        Assert.Null(await leases.RenewAsync(lease.LeaseId, worker.Id, TimeSpan.FromMinutes(1)));
        Assert.All(await leases.InspectAsync("job", [0, 1]), s => Assert.False(s.Ready || s.Leases.Count > 0));
    }

    private static async Task Measure(IWorkerRegistry registry, ILeaseStore leases, string workerId, double ratio)
    {
        var jobId = "measure-" + Guid.NewGuid().ToString("N");
        await leases.OfferAsync([WorkerBuilder.Offer(0, jobId: jobId)]);
        var lease = (await leases.TakeAsync(WorkerBuilder.Lease(workerId))).Lease;
        Assert.NotNull(lease);
        Assert.True((await leases.EndAsync(lease.LeaseId, ReleaseOutcome.Succeeded, WorkerBuilder.Sample(ratio), null))!.Won);
    }
}
