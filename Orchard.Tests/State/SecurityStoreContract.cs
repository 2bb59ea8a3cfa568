using Orchard.Domain.Security;

namespace Orchard.Tests.State;

/// <summary>What every identity store must do, Redis or memory: keys and their reverse maps change together, counts are exact.</summary>
public abstract class SecurityStoreContract
{
    protected abstract ISecurityStore CreateStore();

    [Fact]
    public async Task RemoveClientAsync_RevokesItsKey_AtOnce()
    {
        var store = CreateStore();
        var client = new ClientRecord("c-1", "alice", Secrets.Hash("ock_alice"), DateTimeOffset.UtcNow);
        await store.AddClientAsync(client, max: 10);

        var found = await store.FindClientByKeyHashAsync(client.KeyHash);
        var removed = await store.RemoveClientAsync("c-1");
        var removedAgain = await store.RemoveClientAsync("c-1");

        Assert.Equal("alice", found?.Name);
        Assert.True(removed);
        Assert.False(removedAgain);
        Assert.Null(await store.FindClientByKeyHashAsync(client.KeyHash));
        Assert.Empty(await store.ListClientsAsync());
    }

    [Fact]
    public async Task AddClientAsync_ReturnsFalse_WhenTheRegistryIsFull()
    {
        var store = CreateStore();

        var first = await store.AddClientAsync(new ClientRecord("c-1", "a", "h1", DateTimeOffset.UtcNow), max: 1);
        var second = await store.AddClientAsync(new ClientRecord("c-2", "b", "h2", DateTimeOffset.UtcNow), max: 1);

        Assert.True(first);
        Assert.False(second);
        Assert.Null(await store.FindClientByKeyHashAsync("h2"));
    }

    [Fact]
    public async Task SetWorkerCredentialAsync_RevokesTheTokenItReplaces()
    {
        var store = CreateStore();
        await store.SetWorkerCredentialAsync(new WorkerCredential("w-1", "old", Trusted: false, DateTimeOffset.UtcNow));

        await store.SetWorkerCredentialAsync(new WorkerCredential("w-1", "new", Trusted: false, DateTimeOffset.UtcNow));

        Assert.Null(await store.FindWorkerByTokenHashAsync("old"));
        Assert.Equal("w-1", await store.FindWorkerByTokenHashAsync("new"));
        Assert.True(await store.RemoveWorkerCredentialAsync("w-1"));
        Assert.Null(await store.FindWorkerByTokenHashAsync("new"));
        Assert.Empty(await store.ListWorkerCredentialsAsync());
    }

    [Fact]
    public async Task HitAsync_CountsEveryConcurrentCallOnce_WithinOneWindow()
    {
        var store = CreateStore();

        var counts = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => store.HitAsync("registrations", "address:203.0.113.9", TimeSpan.FromMinutes(1))));
        var other = await store.HitAsync("registrations", "address:203.0.113.10", TimeSpan.FromMinutes(1));

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), counts.Select(c => c.Count).Order());
        Assert.All(counts, c => Assert.InRange(c.ResetsIn, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)));
        Assert.Equal(1, other.Count);
    }

    [Fact]
    public async Task OwnedJobsAsync_PagesNewestFirst_FromACursor()
    {
        var store = CreateStore();
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        for (var i = 0; i < 5; i++)
        {
            await store.AddOwnedJobAsync("c-1", $"job-{i}", start.AddSeconds(i));
        }

        await store.AddOwnedJobAsync("c-2", "theirs", start.AddSeconds(10));
        var first = await store.OwnedJobsAsync("c-1", "+inf", "", 2);
        var last = first[^1];
        var second = await store.OwnedJobsAsync("c-1", last.Score.ToString("R", System.Globalization.CultureInfo.InvariantCulture), last.JobId, 10);
        await store.RemoveOwnedJobAsync("c-1", "job-0");

        Assert.Equal(["job-4", "job-3"], first.Select(j => j.JobId));
        Assert.Equal(["job-2", "job-1", "job-0"], second.Select(j => j.JobId));
        Assert.Equal(["job-4", "job-3", "job-2", "job-1"], (await store.OwnedJobsAsync("c-1", "+inf", "", 10)).Select(j => j.JobId));
    }

    [Fact]
    public async Task GetUploadGrantAsync_AnswersTheGrant_UntilItsLifetimeEnds()
    {
        var store = CreateStore();

        await store.SaveUploadGrantAsync(new UploadGrant("u1", 1000, "c-1"), TimeSpan.FromMinutes(5));

        Assert.Equal(new UploadGrant("u1", 1000, "c-1"), await store.GetUploadGrantAsync("u1"));
        Assert.Null(await store.GetUploadGrantAsync("u2"));
    }
}
