using Orchard.Worker.Core;

namespace Orchard.Worker.Registration;

/// <summary>The master's <c>200</c> answer to <c>POST /workers/{id}/lease</c> (worker protocol v1, section 2).</summary>
/// <param name="LeaseId">The lease, named in every later call about this chunk.</param>
/// <param name="Protocol">The protocol the master answered in.</param>
/// <param name="JobId">The job the chunk belongs to (for the log).</param>
/// <param name="ChunkIndex">The chunk's index in its job (for the log).</param>
/// <param name="ChunkId">The chunk's id (for the log).</param>
/// <param name="AudioUrl">Where the chunk's WAV is served while the lease lives.</param>
/// <param name="AudioSeconds">The chunk's length.</param>
/// <param name="Language">The job's language, or null when it asks for detection.</param>
/// <param name="ExpiresAt">When the lease ends unless renewed.</param>
/// <param name="LeaseSeconds">How long a renewal keeps the lease.</param>
/// <param name="RenewEverySeconds">How often to renew while transcribing.</param>
public sealed record LeaseOffer(
    string? LeaseId,
    int Protocol,
    string? JobId,
    int ChunkIndex,
    string? ChunkId,
    string? AudioUrl,
    double AudioSeconds,
    string? Language,
    DateTimeOffset? ExpiresAt,
    double LeaseSeconds,
    double RenewEverySeconds);

/// <summary>The master's <c>200</c> answer to <c>POST /leases/{lease}/heartbeat</c>.</summary>
/// <param name="ExpiresAt">The lease's new end.</param>
/// <param name="RenewEverySeconds">How often to renew from now on (0: keep the current pace).</param>
public sealed record LeaseRenewal(DateTimeOffset? ExpiresAt, double RenewEverySeconds);

/// <summary>The body of <c>POST /leases/{lease}/fail</c>.</summary>
/// <param name="Reason">Why, for the master's log and the job's history.</param>
/// <param name="Declined">True when this worker cannot serve the chunk (its language): no fault, not offered again.</param>
public sealed record LeaseFailure(string Reason, bool Declined);

/// <summary>What a lease poll came back with.</summary>
public enum LeasePollKind
{
    /// <summary><c>204</c>: nothing to do; poll again.</summary>
    NoWork,

    /// <summary><c>404</c>: the master does not know this worker; register again.</summary>
    UnknownWorker,

    /// <summary><c>200</c>: a chunk to transcribe.</summary>
    Offer,
}

/// <summary>A lease poll's outcome: <see cref="Offer"/> is set only for <see cref="LeasePollKind.Offer"/>.</summary>
/// <param name="Kind">What the master answered.</param>
/// <param name="Offer">The chunk leased.</param>
public sealed record LeasePoll(LeasePollKind Kind, LeaseOffer? Offer = null);

/// <summary>How the master took a result or a failure.</summary>
public enum LeaseAnswerStatus
{
    /// <summary><c>200</c>: accepted (result) or released (failure).</summary>
    Accepted,

    /// <summary><c>409</c> (or <c>404</c>/<c>410</c>): the lease was no longer this worker's; the answer is discarded.</summary>
    Lost,

    /// <summary><c>422</c>: the master could not read the result; it counts as a failure of this attempt.</summary>
    Rejected,
}

/// <summary>The chunk's audio is larger than <see cref="WorkerOptions.MaxAudioBytes"/>; nothing more is downloaded.</summary>
public sealed class AudioTooLargeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AudioTooLargeException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public AudioTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public AudioTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
