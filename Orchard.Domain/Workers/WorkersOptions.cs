using System.ComponentModel.DataAnnotations;
using Orchard.Domain.Net;

namespace Orchard.Domain.Workers;

/// <summary>How workers keep in touch (section <c>Workers</c>).</summary>
public sealed class WorkersOptions
{
    public const string SectionName = "Workers";

    /// <summary>
    /// How often a self-registered worker is told to heartbeat; keep it well under <c>State:WorkerOfflineAfter</c>
    /// (60 s by default) so one lost heartbeat does not take a worker offline.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long the health probe (<c>GET /</c>) of a worker added by URL may take.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether worker and callback URLs may point to loopback and private ranges (127/8, ::1, 10/8, 172.16/12,
    /// 192.168/16, 100.64/10, fc00::/7). Off in the Functions app, where such a URL would reach the cloud's internal
    /// network; the local host, run.sh and the tests turn it on, because the original's fleet lives on a LAN.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Whether worker and callback URLs may use plain http; off in the cloud (https only), for LANs only.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>The outbound rule <see cref="AllowPrivateNetworks"/> and <see cref="AllowHttp"/> make, as Net takes it.</summary>
    public OutboundUrlPolicy UrlPolicy() => new(AllowPrivateNetworks, AllowHttp);

    /// <summary>
    /// The secret a device presents to <c>POST /workers</c> (header <c>X-Orchard-Enrollment</c> or body field
    /// <c>enrollment_secret</c>) to enroll itself: it gets a worker token of its own and starts untrusted. Empty: only
    /// the administrator registers workers. At least 32 characters (checked by <c>Security.WorkerIdentity</c>).
    /// </summary>
    public string? EnrollmentSecret { get; set; }

    /// <summary>
    /// Checks self-enrolled workers' answers against trusted workers' (volunteer fleets). Off by default in
    /// Development (the local host, run.sh) and for private fleets that trust every device they run.
    /// </summary>
    public bool Verification { get; set; } = true;

    /// <summary>How many of an enrolled worker's first answers a trusted worker transcribes too.</summary>
    [Range(0, 1000)]
    public int VerifyAnswers { get; set; } = 2;

    /// <summary>The share of a verified worker's later answers still checked (deterministic by lease).</summary>
    [Range(0.0, 1.0)]
    public double SpotCheckFraction { get; set; } = 0.05;

    /// <summary>
    /// Word agreement (1 − word edit distance ÷ the longer answer's words) below which an answer is a disagreement.
    /// 0.5: different Whisper models, or PocketSphinx against Whisper, disagree on a fraction of the words of the same
    /// audio (word error rates of 10–40 % between them on hard speech), while a forged or unrelated text agrees on
    /// almost none.
    /// </summary>
    [Range(0.0, 1.0)]
    public double AgreementThreshold { get; set; } = 0.5;
}
