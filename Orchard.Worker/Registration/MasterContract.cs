using System.Text.Json.Serialization;

namespace Orchard.Worker.Registration;

/// <summary>The body of <c>POST {master}/workers</c>.</summary>
/// <param name="Url">The URL the master should call this worker on, or null to let the master decide.</param>
/// <param name="Name">The worker's display name.</param>
/// <param name="Model">The model it runs.</param>
/// <param name="Id">The id it had before, when registering again, so the master keeps its history.</param>
/// <param name="Languages">The languages its engine transcribes, or null for every language; the master offers it only those jobs.</param>
/// <param name="Protocol">The worker protocol a pull worker speaks; left out by push workers, whose registration predates it.</param>
public sealed record RegistrationRequest(
    string? Url,
    string Name,
    string Model,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Languages = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Protocol = null);

/// <summary>The master's 200 answer to a registration.</summary>
/// <param name="Id">The worker's id on the master.</param>
/// <param name="HeartbeatIntervalSeconds">How often the master wants a heartbeat.</param>
public sealed record RegistrationResponse(string Id, int HeartbeatIntervalSeconds);

/// <summary>The master could not be reached or gave an answer the worker cannot use; the worker retries.</summary>
public sealed class MasterUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MasterUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MasterUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public MasterUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
