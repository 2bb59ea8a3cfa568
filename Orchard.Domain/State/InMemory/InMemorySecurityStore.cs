using Orchard.Domain.Security;

namespace Orchard.Domain.State.InMemory;

/// <summary>Identities, ownership and rate counters in process memory (the fallback): one lock makes each step atomic.</summary>
public sealed class InMemorySecurityStore(TimeProvider time) : ISecurityStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, ClientRecord> clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WorkerCredential> credentials = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Count, DateTimeOffset Ends)> windows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedSet<(double Score, string Id)>> owned = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (UploadGrant Grant, DateTimeOffset Expires)> grants = new(StringComparer.Ordinal);

    public Task<bool> AddClientAsync(ClientRecord client, int max, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        lock (gate)
        {
            if (clients.Count >= max)
            {
                return Task.FromResult(false);
            }

            clients[client.Id] = client;
            return Task.FromResult(true);
        }
    }

    public Task<ClientRecord?> FindClientByKeyHashAsync(string keyHash, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(clients.Values.FirstOrDefault(c => c.KeyHash == keyHash));
        }
    }

    public Task<IReadOnlyList<ClientRecord>> ListClientsAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<ClientRecord>>(clients.Values.OrderBy(c => c.CreatedAt).ToArray());
        }
    }

    public Task<bool> RemoveClientAsync(string clientId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(clients.Remove(clientId));
        }
    }

    public Task SetWorkerCredentialAsync(WorkerCredential credential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credential);
        lock (gate)
        {
            credentials[credential.WorkerId] = credential;
        }

        return Task.CompletedTask;
    }

    public Task<WorkerCredential?> GetWorkerCredentialAsync(string workerId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(credentials.GetValueOrDefault(workerId));
        }
    }

    public Task<string?> FindWorkerByTokenHashAsync(string tokenHash, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(credentials.Values.FirstOrDefault(c => c.TokenHash == tokenHash)?.WorkerId);
        }
    }

    public Task<IReadOnlyDictionary<string, WorkerCredential>> ListWorkerCredentialsAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyDictionary<string, WorkerCredential>>(new Dictionary<string, WorkerCredential>(credentials));
        }
    }

    public Task<bool> RemoveWorkerCredentialAsync(string workerId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(credentials.Remove(workerId));
        }
    }

    public Task<RateCount> HitAsync(string bucket, string identity, TimeSpan window, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var key = bucket + ":" + identity;
        lock (gate)
        {
            // Ended windows go as new ones are counted, so the map holds only callers of the current minute.
            foreach (var ended in windows.Where(w => w.Value.Ends <= now).Select(w => w.Key).ToArray())
            {
                windows.Remove(ended);
            }

            var (count, ends) = windows.GetValueOrDefault(key, (0, now + window));
            windows[key] = (count + 1, ends);
            return Task.FromResult(new RateCount(count + 1, ends - now));
        }
    }

    public Task AddOwnedJobAsync(string owner, string jobId, DateTimeOffset createdAt, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (!owned.TryGetValue(owner, out var set))
            {
                owned[owner] = set = [];
            }

            set.RemoveWhere(e => e.Id == jobId);
            set.Add((createdAt.ToUnixTimeMilliseconds(), jobId));
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<(string JobId, double Score)>> OwnedJobsAsync(string owner, string maxScore, string afterId, int count, CancellationToken cancellationToken = default)
    {
        var max = maxScore == "+inf" ? double.PositiveInfinity : double.Parse(maxScore, System.Globalization.CultureInfo.InvariantCulture);
        lock (gate)
        {
            if (!owned.TryGetValue(owner, out var set))
            {
                return Task.FromResult<IReadOnlyList<(string, double)>>([]);
            }

            // Newest first, ties by id descending, as ZREVRANGEBYSCORE orders them.
            return Task.FromResult<IReadOnlyList<(string, double)>>(set.Reverse()
                .Where(e => e.Score < max || (e.Score == max && (afterId.Length == 0 || string.CompareOrdinal(e.Id, afterId) < 0)))
                .Take(count)
                .Select(e => (e.Id, e.Score))
                .ToArray());
        }
    }

    public Task RemoveOwnedJobAsync(string owner, string jobId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (owned.TryGetValue(owner, out var set))
            {
                set.RemoveWhere(e => e.Id == jobId);
            }
        }

        return Task.CompletedTask;
    }

    public Task SaveUploadGrantAsync(UploadGrant grant, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var now = time.GetUtcNow();
        lock (gate)
        {
            foreach (var expired in grants.Where(g => g.Value.Expires <= now).Select(g => g.Key).ToArray())
            {
                grants.Remove(expired);
            }

            grants[grant.UploadId] = (grant, now + lifetime);
        }

        return Task.CompletedTask;
    }

    public Task<UploadGrant?> GetUploadGrantAsync(string uploadId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(grants.TryGetValue(uploadId, out var entry) && entry.Expires > time.GetUtcNow() ? entry.Grant : null);
        }
    }
}
