namespace Orchard.Domain.Security;

/// <summary>The three kinds of caller; what each may do is in the README's roles table.</summary>
public enum Role
{
    /// <summary>The operator: workers, preferences, clients, every job.</summary>
    Administrator,

    /// <summary>Submits jobs, and lists, reads, downloads and cancels only its own.</summary>
    Client,

    /// <summary>A device: registers and heartbeats (later leases) only as itself; never reads jobs.</summary>
    Worker,
}
