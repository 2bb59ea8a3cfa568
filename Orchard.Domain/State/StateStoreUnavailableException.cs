namespace Orchard.Domain.State;

/// <summary>
/// The state store (Redis) stayed unreachable for the whole retry budget. Distinct from worker failures so that
/// callers (the orchestration's retry policy) do not spend a chunk's attempts on a store outage.
/// </summary>
public sealed class StateStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
