using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Workers;

namespace Orchard.Domain.Security;

/// <summary>A registration's outcome: the worker, and its token when this call enrolled it (shown once).</summary>
public sealed record WorkerEnrollment(Worker Worker, string? Token, bool Trusted);

/// <summary>
/// Workers' own identities. The administrator registers or adds workers with its key, as before: they are trusted
/// and have no token. A device presenting <c>Workers:EnrollmentSecret</c> enrolls itself: it gets a worker token (only
/// its SHA-256 is kept), starts untrusted, and from then on calls only as itself. <c>DELETE /workers/{id}</c> revokes it.
/// <para>
/// For the lease and answer triggers: read the token with <see cref="RequestCredentials.From"/> (it arrives in
/// <c>X-Orchard-Key</c> or <c>Authorization: Bearer</c>), then <c>await identity.AuthorizeWorkerCallAsync(credentials,
/// workerId, ct)</c>, which lets the administrator and that worker's token through and throws
/// <see cref="UnauthenticatedException"/> (401) or <see cref="ForbiddenException"/> (403) otherwise; or, to check a
/// token alone, <see cref="VerifyAsync"/>.
/// </para>
/// </summary>
public sealed partial class WorkerIdentity(
    ISecurityStore store, IWorkerRegistry workers, CallerAuthorizer authorizer, RateLimits limits, IOptions<WorkersOptions> options, TimeProvider time,
    ILogger<WorkerIdentity> logger)
{
    private const string EnrollmentRefused =
        "The enrollment secret is not valid for this master; ask its administrator for Workers:EnrollmentSecret.";

    /// <summary>True when <paramref name="presentedToken"/> is the current token of <paramref name="workerId"/>.</summary>
    public async Task<bool> VerifyAsync(string workerId, string? presentedToken, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(presentedToken) || !presentedToken.StartsWith(Secrets.WorkerTokenPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        return await store.FindWorkerByTokenHashAsync(Secrets.Hash(presentedToken), cancellationToken) is { } owner
            && string.Equals(owner, workerId, StringComparison.Ordinal);
    }

    /// <summary>
    /// A call a worker makes about itself (heartbeat, lease, answer): the administrator, or that worker's own token.
    /// Another worker's token is a 403; a client key too.
    /// </summary>
    public async Task<CallerIdentity> AuthorizeWorkerCallAsync(RequestCredentials credentials, string workerId, CancellationToken cancellationToken)
    {
        var caller = await authorizer.IdentifyAsync(credentials, RouteGate.Orchard, cancellationToken);
        return caller.Role switch
        {
            Role.Administrator => caller,
            Role.Worker when string.Equals(caller.Id, workerId, StringComparison.Ordinal) => caller,
            Role.Worker => throw new ForbiddenException("A worker token is accepted only for its own worker's calls."),
            _ => throw new ForbiddenException(Role.Client, [Role.Administrator, Role.Worker]),
        };
    }

    /// <summary>
    /// <c>POST /workers</c>. With an enrollment secret (header, or <paramref name="bodySecret"/>): enrolls, counted per
    /// client address. With a worker token: that worker registering again. Otherwise the administrator, as before.
    /// </summary>
    public async Task<WorkerEnrollment> RegisterAsync(RequestCredentials credentials, WorkerRegistration registration, string? bodySecret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(registration);
        var secret = credentials.EnrollmentSecret ?? (string.IsNullOrWhiteSpace(bodySecret) ? null : bodySecret.Trim());
        if (secret is not null)
        {
            return await EnrollAsync(credentials, registration, secret, cancellationToken);
        }

        var caller = await authorizer.IdentifyAsync(credentials, RouteGate.Orchard, cancellationToken);
        switch (caller.Role)
        {
            case Role.Administrator:
                return new WorkerEnrollment(await workers.RegisterAsync(registration, cancellationToken), null, await IsTrustedAsync(caller.Id, cancellationToken));
            case Role.Worker:
                await limits.CheckRegistrationAsync("worker:" + caller.Id, cancellationToken);
                var id = IdOf(registration);
                if (!string.Equals(id, caller.Id, StringComparison.Ordinal))
                {
                    throw new ForbiddenException($"This worker token belongs to worker '{caller.Id}'; register with \"id\": \"{caller.Id}\" (or its URL), or enroll anew.");
                }

                return new WorkerEnrollment(await workers.RegisterAsync(registration with { Id = id }, cancellationToken), null, Trusted: false);
            default:
                throw new ForbiddenException("A client key cannot register workers; a device enrolls with the enrollment secret (X-Orchard-Enrollment).");
        }
    }

    /// <summary>Revokes the worker's token; false when it had none (registered by the administrator).</summary>
    public Task<bool> RevokeAsync(string workerId, CancellationToken cancellationToken) =>
        store.RemoveWorkerCredentialAsync(workerId, cancellationToken);

    /// <summary>Ids of the workers that enrolled themselves and are not trusted (yet); every other worker is trusted.</summary>
    public async Task<IReadOnlySet<string>> UntrustedAsync(CancellationToken cancellationToken) =>
        (await store.ListWorkerCredentialsAsync(cancellationToken)).Values.Where(c => !c.Trusted).Select(c => c.WorkerId).ToHashSet(StringComparer.Ordinal);

    private async Task<bool> IsTrustedAsync(string workerId, CancellationToken cancellationToken) =>
        await store.GetWorkerCredentialAsync(workerId, cancellationToken) is not { Trusted: false };

    private async Task<WorkerEnrollment> EnrollAsync(RequestCredentials credentials, WorkerRegistration registration, string secret, CancellationToken cancellationToken)
    {
        var expected = options.Value.EnrollmentSecret;
        if (string.IsNullOrWhiteSpace(expected) || !Secrets.Matches(secret, expected.Trim()))
        {
            LogEnrollmentRefused(logger, credentials.ClientAddress ?? "?");
            throw new UnauthenticatedException(EnrollmentRefused);
        }

        await limits.CheckRegistrationAsync("address:" + (credentials.ClientAddress ?? "unknown"), cancellationToken);
        var id = IdOf(registration);
        var current = await store.GetWorkerCredentialAsync(id, cancellationToken);
        var presentsOwnToken = current is not null && credentials.OrchardKey is { } key && Secrets.Matches(Secrets.Hash(key), current.TokenHash);
        if (!presentsOwnToken && (current is not null || await workers.GetAsync(id, cancellationToken) is not null))
        {
            // Otherwise anyone holding the shared secret could take over a registered worker's id, and its chunks.
            throw new ForbiddenException($"A worker '{id}' is registered already: register again with its token in X-Orchard-Key, or enroll under another id or URL.");
        }

        var worker = await workers.RegisterAsync(registration with { Id = id }, cancellationToken);
        if (presentsOwnToken)
        {
            return new WorkerEnrollment(worker, null, current!.Trusted);
        }

        var token = Secrets.New(Secrets.WorkerTokenPrefix);
        await store.SetWorkerCredentialAsync(new WorkerCredential(worker.Id, Secrets.Hash(token), Trusted: false, time.GetUtcNow()), cancellationToken);
        worker = await workers.MarkUnverifiedAsync(worker.Id, cancellationToken) ?? worker;
        LogEnrolled(logger, worker.Id);
        return new WorkerEnrollment(worker, token, Trusted: false);
    }

    /// <summary>The id the registration takes (its URL, its own id, else a new one), fixed before registering so the token names it.</summary>
    private string IdOf(WorkerRegistration registration) =>
        WorkerFactory.FromRegistration(registration, time.GetUtcNow().ToUnixTimeMilliseconds()).Id;

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} enrolled itself with the enrollment secret (untrusted)")]
    private static partial void LogEnrolled(ILogger logger, string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Enrollment refused from {Address}: wrong or unset enrollment secret")]
    private static partial void LogEnrollmentRefused(ILogger logger, string address);
}
