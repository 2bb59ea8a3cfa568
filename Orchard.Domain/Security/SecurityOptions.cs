using System.ComponentModel.DataAnnotations;

namespace Orchard.Domain.Security;

/// <summary>Who may call, and how often (section <c>Security</c>). Worker enrollment is <c>Workers:EnrollmentSecret</c>.</summary>
public sealed class SecurityOptions : IValidatableObject
{
    public const string SectionName = "Security";

    /// <summary>The shortest admin key accepted: a guessable one would open everything.</summary>
    public const int MinKeyLength = 32;

    /// <summary>
    /// Orchard's own administrator key, accepted in <c>x-functions-key</c>/<c>?code=</c> or <c>X-Orchard-Key</c> on the
    /// routes that are anonymous at the host (jobs, uploads, worker registration and heartbeats), where the platform
    /// does not check keys. Give it the value of a host key so one key opens every route. Empty: none.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>
    /// Platform keys Orchard can check itself, beside <see cref="AdminKey"/>: the local host puts
    /// <c>LocalHost:FunctionKey</c> here, so its anonymous routes accept its function key as the cloud's accept the admin key.
    /// </summary>
    public IList<string> PlatformKeys { get; } = [];

    /// <summary>
    /// With no admin key configured, a caller presenting no key is the administrator, as on an open development host.
    /// Default: on in Development (the local host, <c>func start</c>) only. Ignored as soon as any admin or platform
    /// key is configured. Never on a public deployment.
    /// </summary>
    public bool OpenAccess { get; set; }

    /// <summary>Job submissions and upload URLs per client (or worker) a minute (<c>POST /jobs</c>, <c>/submit</c>, <c>/uploads</c>); 0: no limit. The administrator is not limited.</summary>
    [Range(0, 100_000)]
    public int SubmissionsPerMinute { get; set; } = 30;

    /// <summary>Worker registrations a minute per worker token, or per client address for enrollments (<c>POST /workers</c>); 0: no limit.</summary>
    [Range(0, 100_000)]
    public int RegistrationsPerMinute { get; set; } = 10;

    /// <summary>The most clients the administrator may issue keys to.</summary>
    [Range(1, 100_000)]
    public int MaxClients { get; set; } = 1000;

    /// <summary>Every configured key an administrator may present.</summary>
    public IEnumerable<string> AdminKeys() =>
        (string.IsNullOrWhiteSpace(AdminKey) ? [] : new[] { AdminKey.Trim() }).Concat(PlatformKeys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => k.Trim()));

    /// <summary>True when a caller with no key is the administrator (see <see cref="OpenAccess"/>).</summary>
    public bool IsOpen => OpenAccess && !AdminKeys().Any();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(AdminKey) && AdminKey.Trim().Length < MinKeyLength)
        {
            yield return new ValidationResult(
                $"Security:AdminKey is {AdminKey.Trim().Length} characters; use at least {MinKeyLength} random ones (openssl rand -hex 32).", [nameof(AdminKey)]);
        }
    }
}
