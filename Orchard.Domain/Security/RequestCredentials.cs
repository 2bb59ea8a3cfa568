namespace Orchard.Domain.Security;

/// <summary>
/// What a request presents, read from its headers and query by the trigger. Orchard's own keys (client keys, worker
/// tokens, the admin key) come in <c>X-Orchard-Key</c> or <c>Authorization: Bearer</c>; the platform's function key in
/// <c>x-functions-key</c> or <c>?code=</c>; a worker's enrollment secret in <c>X-Orchard-Enrollment</c> (or the
/// registration body's <c>enrollment_secret</c>, added by the trigger that reads the body).
/// </summary>
public sealed record RequestCredentials(string? OrchardKey, string? PlatformKey, string? EnrollmentSecret, string? ClientAddress)
{
    public const string OrchardKeyHeader = "X-Orchard-Key";
    public const string PlatformKeyHeader = "x-functions-key";
    public const string PlatformKeyQuery = "code";
    public const string EnrollmentHeader = "X-Orchard-Enrollment";

    public static RequestCredentials None { get; } = new(null, null, null, null);

    /// <summary>
    /// Reads the credentials through <paramref name="header"/> and <paramref name="query"/> (first value or null).
    /// <paramref name="remoteAddress"/> is the connection's peer; <c>X-Forwarded-For</c> names the client behind the
    /// platform's front end (see <see cref="ClientAddressFrom"/>).
    /// </summary>
    public static RequestCredentials From(Func<string, string?> header, Func<string, string?> query, string? remoteAddress)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(query);
        var orchard = NonEmpty(header(OrchardKeyHeader));
        if (orchard is null && header("Authorization") is { } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            orchard = NonEmpty(authorization["Bearer ".Length..]);
        }

        var platform = NonEmpty(header(PlatformKeyHeader)) ?? NonEmpty(query(PlatformKeyQuery));
        return new RequestCredentials(orchard, platform, NonEmpty(header(EnrollmentHeader)), ClientAddressFrom(header("X-Forwarded-For"), remoteAddress));
    }

    /// <summary>
    /// The address rate limits count registrations by. Behind Azure's front end the peer is the platform itself, and
    /// the front end appends the real client to <c>X-Forwarded-For</c>: the rightmost public address there is the one
    /// no caller can forge (what a caller wrote itself sits to its left). Without a public one, the peer.
    /// </summary>
    public static string? ClientAddressFrom(string? forwardedFor, string? remoteAddress)
    {
        if (!string.IsNullOrWhiteSpace(forwardedFor))
        {
            foreach (var part in forwardedFor.Split(',').Reverse())
            {
                if (System.Net.IPAddress.TryParse(part.Trim(), out var address) && Strict.Refusal(address) is null)
                {
                    return address.ToString();
                }
            }
        }

        return remoteAddress;
    }

    // Public addresses only: the defaults refuse loopback, private, link-local and reserved ranges.
    private static readonly Net.OutboundUrlPolicy Strict = new Workers.WorkersOptions().UrlPolicy();

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
