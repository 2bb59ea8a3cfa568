using System.ComponentModel.DataAnnotations;

namespace Orchard.Domain.Webhooks;

/// <summary>Completion webhooks (section <c>Webhooks</c>): the signing secret and how delivery is retried.</summary>
public sealed class WebhooksOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>
    /// The deployment's HMAC-SHA256 key for <c>X-Orchard-Signature</c>. Without it, submissions with a
    /// <c>callback_url</c> are refused (nothing unsigned is ever sent). Kept in Key Vault or app settings; never logged.
    /// </summary>
    [MinLength(32, ErrorMessage = "Webhooks:Secret must be at least 32 characters (e.g. openssl rand -hex 32).")]
    public string? Secret { get; set; }

    /// <summary>Deliveries tried before the callback is given up (the first one included).</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The wait after the first failed delivery; it doubles after each further one (1, 2, 4, 8, 16 min: about 31 min for 6 attempts).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one delivery may take, connection included.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
