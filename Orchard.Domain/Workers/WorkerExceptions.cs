namespace Orchard.Domain.Workers;

/// <summary>A worker with this URL is already registered.</summary>
public sealed class DuplicateWorkerException(string workerId)
    : InvalidOperationException($"Worker {workerId} is already registered.")
{
    public string WorkerId { get; } = workerId;
}

/// <summary>No worker with this id is known.</summary>
public sealed class WorkerNotFoundException(string workerId) : KeyNotFoundException($"Worker {workerId} is not registered.")
{
    public string WorkerId { get; } = workerId;
}

/// <summary>A registration field that cannot be stored (too long, control characters); the message says which.</summary>
public sealed class InvalidWorkerRegistrationException(string message) : ArgumentException(message);

/// <summary>The registry already holds <c>State:MaxWorkers</c> workers.</summary>
public sealed class WorkerLimitReachedException(int max)
    : InvalidOperationException($"The master already knows {max} workers, its limit (State:MaxWorkers); remove workers that are gone, or raise the limit.")
{
    public int Max { get; } = max;
}

/// <summary>A worker URL that cannot be used (empty, not http(s), no host).</summary>
public sealed class InvalidWorkerUrlException(string message) : ArgumentException(message);
