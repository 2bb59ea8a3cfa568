namespace Orchard.Domain.Webhooks;

/// <summary>Where a job's completion callback stands.</summary>
public enum CallbackStatus
{
    /// <summary>Not delivered yet; another attempt is coming.</summary>
    Pending,

    Delivered,

    /// <summary>Given up: the receiver refused it (a 4xx other than 408/429), or every attempt failed.</summary>
    Failed,
}

/// <summary>The job document's <c>callback</c>: <c>{status, attempts, last_error}</c>.</summary>
public sealed record CallbackState(CallbackStatus Status, int Attempts, string? LastError);

/// <summary>What one delivery attempt came to, for the orchestration to decide whether to wait and try again.</summary>
public enum CallbackResult
{
    Delivered,
    Retry,
    GaveUp,

    /// <summary>The job has no callback (or is gone): nothing to deliver.</summary>
    None,
}

/// <summary>
/// How a job's callback is retried, fixed when its delivery starts (it travels in the orchestration's input, so a
/// replay sees the same values): <see cref="MaxAttempts"/> deliveries, waiting <see cref="FirstRetryDelay"/> after
/// the first failure and twice as long after each next one, at most an hour.
/// </summary>
public sealed record CallbackSchedule(int MaxAttempts, TimeSpan FirstRetryDelay)
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromHours(1);

    public static CallbackSchedule From(WebhooksOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new CallbackSchedule(options.MaxAttempts, options.FirstRetryDelay);
    }

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan DelayAfter(int attempt)
    {
        var delay = FirstRetryDelay * Math.Pow(2, Math.Clamp(attempt - 1, 0, 20));
        return delay < MaxDelay ? delay : MaxDelay;
    }
}

/// <summary>One delivery attempt of a job's callback (1-based, of <see cref="MaxAttempts"/>).</summary>
public sealed record CallbackAttempt(string JobId, int Attempt, int MaxAttempts);
