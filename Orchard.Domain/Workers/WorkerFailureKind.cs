namespace Orchard.Domain.Workers;

/// <summary>How a delivery to a worker failed.</summary>
public enum WorkerFailureKind
{
    Unreachable,
    Timeout,
    ServerError,
    InvalidAnswer,

    /// <summary>A 4xx: the worker cannot serve this request (a language it does not know), which is not its fault.</summary>
    Declined,
}
