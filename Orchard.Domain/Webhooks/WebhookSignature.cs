using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Orchard.Domain.Webhooks;

/// <summary>
/// <c>X-Orchard-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</c>: HMAC-SHA256 with the deployment's secret over
/// <c>{t}.{body}</c>. The timestamp is signed too, so a receiver that refuses old timestamps refuses replays.
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "X-Orchard-Signature";

    /// <summary>The header value for this body at this time.</summary>
    public static string Create(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        return $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(Compute(secret, timestamp, body))}";
    }

    /// <summary>
    /// True when <paramref name="header"/> signs <paramref name="body"/> with <paramref name="secret"/> and its time is
    /// within <paramref name="tolerance"/> of <paramref name="now"/>; what a receiver does, in constant time.
    /// </summary>
    public static bool Verify(string secret, string? header, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        long? timestamp = null;
        byte[]? signature = null;
        foreach (var part in (header ?? string.Empty).Split(','))
        {
            var pair = part.Trim().Split('=', 2);
            if (pair.Length != 2)
            {
                continue;
            }

            if (pair[0] == "t" && long.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (pair[0] == "v1" && pair[1].Length == 64)
            {
                try
                {
                    signature = Convert.FromHexString(pair[1]);
                }
                catch (FormatException)
                {
                    return false;
                }
            }
        }

        if (timestamp is not { } at || signature is null || Math.Abs(now.ToUnixTimeSeconds() - at) > tolerance.TotalSeconds)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Compute(secret, at, body), signature);
    }

    private static byte[] Compute(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
    }
}
