using System.Security.Cryptography;
using System.Text;

namespace Orchard.Domain.Security;

/// <summary>Keys and tokens Orchard issues: 32 random bytes behind a prefix that says what they are; stored as SHA-256.</summary>
public static class Secrets
{
    /// <summary>Prefix of a client key.</summary>
    public const string ClientKeyPrefix = "ock_";

    /// <summary>Prefix of a worker token.</summary>
    public const string WorkerTokenPrefix = "owt_";

    /// <summary>A new secret: the prefix, then 32 random bytes in base64url.</summary>
    public static string New(string prefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// The SHA-256 of a secret, in hex: what is stored. A fast hash suffices because the secrets are 256 random bits,
    /// not passwords: nothing is gained by guessing against the hash.
    /// </summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Compares in constant time, so the answer's timing does not tell how much of a key was right.</summary>
    public static bool Matches(string? presented, string? expected) =>
        presented is not null && expected is not null
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
