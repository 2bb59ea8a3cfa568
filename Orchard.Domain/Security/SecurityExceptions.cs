namespace Orchard.Domain.Security;

/// <summary>No credential, or one Orchard does not know (mistyped, revoked): 401.</summary>
public sealed class UnauthenticatedException(string message) : InvalidOperationException(message);

/// <summary>A known caller asking for what its role may not do: 403.</summary>
public sealed class ForbiddenException : InvalidOperationException
{
    public ForbiddenException(Role role, IReadOnlyCollection<Role> allowed)
        : base($"{Describe(role)} may not call this endpoint; it is for {string.Join(" or ", allowed.Select(Plural))}.")
    {
    }

    public ForbiddenException(string message)
        : base(message)
    {
    }

    private static string Describe(Role role) => role switch
    {
        Role.Worker => "A worker token",
        Role.Client => "A client key",
        _ => "The administrator",
    };

    private static string Plural(Role role) => role switch
    {
        Role.Worker => "workers (their own token)",
        Role.Client => "clients",
        _ => "the administrator (a function key or Security:AdminKey)",
    };
}

/// <summary>Too many calls of one kind from one identity in the current window: 429 with <c>Retry-After</c>.</summary>
public sealed class RateLimitedException(string what, int limit, TimeSpan retryAfter)
    : InvalidOperationException($"Too many {what}: at most {limit} a minute from one {(what == "registrations" ? "worker or address" : "caller")}. Try again in {Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))} s.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>A committed upload holds more bytes than its <c>POST /uploads</c> declared: 413, and the upload is deleted.</summary>
public sealed class UploadLargerThanDeclaredException(long declared, long actual)
    : InvalidOperationException($"The uploaded recording holds {actual} bytes, more than the {declared} declared to POST /uploads; it was deleted. Ask for a new upload with its real size in \"bytes\".");
