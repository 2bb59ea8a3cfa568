using System.ComponentModel.DataAnnotations;

namespace Orchard.Domain.Dashboard;

/// <summary>The dashboard page, its live stream and the tokens that open streams (section <c>Dashboard</c>).</summary>
public sealed class DashboardOptions : IValidatableObject
{
    public const string SectionName = "Dashboard";

    /// <summary>The smallest signing key accepted: HMAC-SHA256 gains nothing from more, and less is guessable.</summary>
    public const int MinKeyBytes = 32;

    /// <summary>
    /// Base64 of at least 32 random bytes signing stream tokens (<c>openssl rand -base64 32</c>). Every instance of
    /// the app must share it. Empty: a random key per process in Development; elsewhere streams are unavailable and
    /// the page falls back to polling with the function key.
    /// </summary>
    public string? StreamTokenKey { get; set; }

    /// <summary>True where a missing key may be replaced by a random one per process (Development: one process).</summary>
    public bool EphemeralKeyAllowed { get; set; }

    /// <summary>How long a token for <c>GET /events</c> opens streams; the page asks for a new one as it reconnects.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan StreamTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a token for one job's audio works: a player asks for byte ranges long after it started, as the
    /// listener seeks, so this one outlives a stream token.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "12:00:00")]
    public TimeSpan AudioTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A comment line on a quiet stream this often, so proxies and browsers keep it open.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The server ends each stream after this long, under the Functions host's 230 s limit on a response (Azure's
    /// load balancer cuts it there), so the browser reconnects on its own terms instead of seeing a broken stream.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:03:40")]
    public TimeSpan StreamDuration { get; set; } = TimeSpan.FromSeconds(200);

    /// <summary>How often an open stream reads the state (a listing of jobs and the worker registry, no scans).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The newest jobs the dashboard shows.</summary>
    [Range(1, 200)]
    public int JobsShown { get; set; } = 20;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(StreamTokenKey) && DecodeKey(StreamTokenKey) is null)
        {
            yield return new ValidationResult(
                $"Dashboard:StreamTokenKey must be base64 of at least {MinKeyBytes} random bytes (openssl rand -base64 32).",
                [nameof(StreamTokenKey)]);
        }
    }

    /// <summary>The key's bytes, or null when it is not base64 of at least <see cref="MinKeyBytes"/> bytes.</summary>
    public static byte[]? DecodeKey(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value.Trim(), buffer, out var written) && written >= MinKeyBytes ? buffer[..written] : null;
    }
}
