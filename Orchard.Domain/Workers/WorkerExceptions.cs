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

/// <summary>A worker URL that cannot be used (empty, not http(s), no host).</summary>
public sealed class InvalidWorkerUrlException(string message) : ArgumentException(message);
