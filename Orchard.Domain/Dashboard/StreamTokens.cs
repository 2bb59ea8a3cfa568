using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Orchard.Domain.Dashboard;

/// <summary>A token and when it stops opening streams.</summary>
public sealed record StreamToken(string Token, DateTimeOffset ExpiresAt);

/// <summary>No signing key is configured here, so no stream can be opened.</summary>
public sealed class StreamTokensUnavailableException()
    : InvalidOperationException("Live streams are off: set Dashboard:StreamTokenKey (base64 of 32 random bytes, the same on every instance). The dashboard polls meanwhile.");

/// <summary>
/// Short-lived, HMAC-signed tokens for what a browser opens without headers (an <c>EventSource</c>, an
/// <c>&lt;audio&gt;</c> element): the function key stays in headers, never in a URL that logs and histories keep.
/// A token names what it opens (its scope) and when it expires; nothing is stored, so any instance sharing the key
/// checks it.
/// </summary>
public sealed class StreamTokens
{
    public const string EventsScope = "events";

    private readonly DashboardOptions options;
    private readonly TimeProvider time;
    private readonly byte[]? key;

    public StreamTokens(IOptions<DashboardOptions> options, TimeProvider time)
    {
        this.options = options.Value;
        this.time = time;
        key = string.IsNullOrWhiteSpace(this.options.StreamTokenKey)
            ? this.options.EphemeralKeyAllowed ? RandomNumberGenerator.GetBytes(DashboardOptions.MinKeyBytes) : null
            : DashboardOptions.DecodeKey(this.options.StreamTokenKey);
    }

    public bool Available => key is not null;

    /// <summary>The scope of one job's audio.</summary>
    public static string AudioScope(string jobId) => $"audio:{jobId}";

    /// <summary>
    /// A token for the live stream, or for one job's audio when <paramref name="jobId"/> is given.
    /// Throws <see cref="StreamTokensUnavailableException"/> without a key.
    /// </summary>
    public StreamToken Issue(string? jobId)
    {
        var signing = key ?? throw new StreamTokensUnavailableException();
        var (scope, lifetime) = jobId is null ? (EventsScope, options.StreamTokenLifetime) : (AudioScope(jobId), options.AudioTokenLifetime);
        var expires = time.GetUtcNow() + lifetime;

        // Roles (issue 11) go here: the client a key belongs to joins the payload, and the stream filters by it.
        var payload = Encoding.UTF8.GetBytes($"{expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}|{scope}");
        var token = $"{Base64Url(payload)}.{Base64Url(HMACSHA256.HashData(signing, payload))}";
        return new StreamToken(token, DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()));
    }

    /// <summary>True for an unexpired token this deployment signed for exactly <paramref name="scope"/>.</summary>
    public bool IsValid(string? token, string scope)
    {
        if (key is null || string.IsNullOrEmpty(token) || token.Length > 512)
        {
            return false;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || FromBase64Url(token[..dot]) is not { } payload || FromBase64Url(token[(dot + 1)..]) is not { } signature)
        {
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, payload), signature))
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(payload).Split('|', 2);
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            && expires > time.GetUtcNow().ToUnixTimeSeconds()
            && string.Equals(parts[1], scope, StringComparison.Ordinal);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        var buffer = new byte[padded.Length];
        return Convert.TryFromBase64String(padded, buffer, out var written) ? buffer[..written] : null;
    }
}
