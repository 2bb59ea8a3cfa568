namespace Orchard.Domain.Security;

/// <summary>What the host checked before the request reached Orchard.</summary>
public enum RouteGate
{
    /// <summary>
    /// The route is <c>AuthorizationLevel.Function</c>: the Functions host (and the local host with
    /// <c>LocalHost:FunctionKey</c>) let it through only with a platform key, so a caller presenting no Orchard key is
    /// the administrator.
    /// </summary>
    PlatformKey,

    /// <summary>The route is anonymous at the host: Orchard checks every credential itself.</summary>
    Orchard,
}
