using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Jobs;

namespace Orchard.Domain.Security;

/// <summary>A client as the administrator sees it; the key itself only in <see cref="IssuedClient"/>, once.</summary>
public sealed record ClientView(string Id, string Name, DateTimeOffset CreatedAt);

/// <summary>A client just issued: the only time its key is shown.</summary>
public sealed record IssuedClient(string Id, string Name, string Key, DateTimeOffset CreatedAt);

/// <summary>Named client keys the administrator issues (<c>POST /clients</c>) and revokes (<c>DELETE /clients/{id}</c>).</summary>
public sealed partial class ClientKeys(ISecurityStore store, IOptions<SecurityOptions> options, TimeProvider time, ILogger<ClientKeys> logger)
{
    /// <summary>Longest client name; it is shown, never parsed.</summary>
    public const int MaxNameLength = 100;

    /// <summary>Throws <see cref="InvalidRequestException"/> for a bad name, <see cref="ClientLimitReachedException"/> when full.</summary>
    public async Task<IssuedClient> IssueAsync(string? name, CancellationToken cancellationToken)
    {
        var trimmed = name?.Trim() ?? string.Empty;
        if (trimmed.Length is 0 or > MaxNameLength || trimmed.Any(char.IsControl))
        {
            throw new InvalidRequestException($"Send {{\"name\": \"...\"}}: 1 to {MaxNameLength} printable characters naming the client (a person, an app).");
        }

        var key = Secrets.New(Secrets.ClientKeyPrefix);
        var client = new ClientRecord("c-" + Guid.NewGuid().ToString("N")[..16], trimmed, Secrets.Hash(key), time.GetUtcNow());
        if (!await store.AddClientAsync(client, options.Value.MaxClients, cancellationToken))
        {
            throw new ClientLimitReachedException(options.Value.MaxClients);
        }

        LogIssued(logger, client.Id, client.Name);
        return new IssuedClient(client.Id, client.Name, key, client.CreatedAt);
    }

    public async Task<IReadOnlyList<ClientView>> ListAsync(CancellationToken cancellationToken) =>
        (await store.ListClientsAsync(cancellationToken)).Select(c => new ClientView(c.Id, c.Name, c.CreatedAt)).ToArray();

    /// <summary>Revokes the key at once (its next call answers 401); the client's jobs stay. False when unknown.</summary>
    public async Task<bool> RevokeAsync(string clientId, CancellationToken cancellationToken)
    {
        var removed = await store.RemoveClientAsync(clientId, cancellationToken);
        if (removed)
        {
            LogRevoked(logger, clientId);
        }

        return removed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client key issued: {ClientId} ({Name})")]
    private static partial void LogIssued(ILogger logger, string clientId, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client key revoked: {ClientId}")]
    private static partial void LogRevoked(ILogger logger, string clientId);
}

/// <summary>The administrator issued <see cref="SecurityOptions.MaxClients"/> keys already: 503 with what to do.</summary>
public sealed class ClientLimitReachedException(int max)
    : InvalidOperationException($"Orchard holds {max} client keys already (Security:MaxClients); revoke unused ones with DELETE /clients/{{id}}, or raise the setting.");

/// <summary>No client with this id: 404.</summary>
public sealed class ClientNotFoundException(string clientId)
    : InvalidOperationException($"No client '{clientId}'; GET /clients lists them.");
