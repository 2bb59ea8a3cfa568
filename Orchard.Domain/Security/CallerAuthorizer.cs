using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orchard.Domain.Security;

/// <summary>
/// Answers who is calling. In order: an Orchard key (<c>X-Orchard-Key</c> or a bearer token) is the admin key, a
/// client key or a worker token, or it is refused (401) whatever else the request carries; otherwise a platform key on
/// a route the host checked is the administrator, and on a route anonymous at the host it must be one Orchard knows
/// (<see cref="SecurityOptions.AdminKey"/>, the local host's function key); otherwise, with no key at all, the caller
/// is the administrator only on an open development host (<see cref="SecurityOptions.OpenAccess"/>).
/// </summary>
public sealed partial class CallerAuthorizer(ISecurityStore store, IOptions<SecurityOptions> options, ILogger<CallerAuthorizer> logger)
{
    private const string KeyRequired =
        "This endpoint needs a key: a client key in the X-Orchard-Key header (or Authorization: Bearer), or the administrator's key in x-functions-key.";

    private const string KeyUnknown =
        "The key in X-Orchard-Key (or Authorization: Bearer) is not valid: it was mistyped or revoked. Ask the administrator for a key.";

    private const string PlatformKeyUnknown =
        "The key in x-functions-key (or ?code=) is not the administrator's key for this endpoint. Clients send their own key in X-Orchard-Key.";

    /// <summary>Throws <see cref="UnauthenticatedException"/> for a missing or unknown key.</summary>
    public async Task<CallerIdentity> IdentifyAsync(RequestCredentials credentials, RouteGate gate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var settings = options.Value;
        // Orchard's own keys say what they are by their prefix, so a client that only knows x-functions-key (the CLI's
        // --key, the dashboard's #key=) still presents its client key there.
        if ((credentials.OrchardKey ?? (IsOrchardIssued(credentials.PlatformKey) ? credentials.PlatformKey : null)) is { } key)
        {
            return await FromOrchardKeyAsync(key, settings, cancellationToken) ?? throw Refused(KeyUnknown);
        }

        if (gate == RouteGate.PlatformKey)
        {
            return CallerIdentity.Administrator;
        }

        if (credentials.PlatformKey is { } platform)
        {
            return settings.AdminKeys().Any(k => Secrets.Matches(platform, k)) || settings.IsOpen
                ? CallerIdentity.Administrator
                : throw Refused(PlatformKeyUnknown);
        }

        return settings.IsOpen ? CallerIdentity.Administrator : throw Refused(KeyRequired);
    }

    /// <summary>The caller when it is the administrator; <see cref="ForbiddenException"/> for a client or worker.</summary>
    public async Task<CallerIdentity> RequireAdministratorAsync(RequestCredentials credentials, RouteGate gate, CancellationToken cancellationToken) =>
        (await IdentifyAsync(credentials, gate, cancellationToken)).Require(Role.Administrator);

    private async Task<CallerIdentity?> FromOrchardKeyAsync(string key, SecurityOptions settings, CancellationToken cancellationToken)
    {
        if (settings.AdminKeys().Any(k => Secrets.Matches(key, k)))
        {
            return CallerIdentity.Administrator;
        }

        var hash = Secrets.Hash(key);
        if (key.StartsWith(Secrets.WorkerTokenPrefix, StringComparison.Ordinal))
        {
            return await store.FindWorkerByTokenHashAsync(hash, cancellationToken) is { } workerId ? new CallerIdentity(Role.Worker, workerId) : null;
        }

        return await store.FindClientByKeyHashAsync(hash, cancellationToken) is { } client ? new CallerIdentity(Role.Client, client.Id) : null;
    }

    private static bool IsOrchardIssued(string? key) =>
        key is not null && (key.StartsWith(Secrets.ClientKeyPrefix, StringComparison.Ordinal) || key.StartsWith(Secrets.WorkerTokenPrefix, StringComparison.Ordinal));

    private UnauthenticatedException Refused(string message)
    {
        LogRefused(logger, message);
        return new UnauthenticatedException(message);
    }

    // The sentence only: a presented key is never logged.
    [LoggerMessage(Level = LogLevel.Information, Message = "Request refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
