using Microsoft.Extensions.Options;

namespace Orchard.Domain.Security;

/// <summary>
/// Per-identity limits in fixed one-minute windows, counted atomically in the state store (one round trip), so every
/// master instance shares them. The administrator is never limited: its key is the operator's own.
/// </summary>
public sealed class RateLimits(ISecurityStore store, IOptions<SecurityOptions> options)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary><c>POST /jobs</c>, <c>/submit</c> and <c>/uploads</c>, per client (or worker).</summary>
    public Task CheckSubmissionAsync(CallerIdentity caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.IsAdministrator
            ? Task.CompletedTask
            : CheckAsync("submissions", $"{caller.Role}:{caller.Id}".ToLowerInvariant(), options.Value.SubmissionsPerMinute, cancellationToken);
    }

    /// <summary><c>POST /workers</c>, per worker token, or per client address for enrollments (every enrolling device shares the secret).</summary>
    public Task CheckRegistrationAsync(string identity, CancellationToken cancellationToken) =>
        CheckAsync("registrations", identity, options.Value.RegistrationsPerMinute, cancellationToken);

    private async Task CheckAsync(string bucket, string identity, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return;
        }

        var hit = await store.HitAsync(bucket, identity, Window, cancellationToken);
        if (hit.Count > limit)
        {
            throw new RateLimitedException(bucket, limit, hit.ResetsIn);
        }
    }
}
