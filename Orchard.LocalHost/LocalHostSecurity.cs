using Microsoft.Extensions.Options;
using Orchard.Domain.Security;

namespace Orchard.LocalHost;

/// <summary>The local host's function key, as Orchard's own checks see it.</summary>
public static class LocalHostSecurity
{
    /// <summary>
    /// <c>LocalHost:FunctionKey</c> is a platform key Orchard can check itself: the routes anonymous at the host (jobs,
    /// uploads, worker registration) accept it as the administrator's, as the cloud's accept <c>Security:AdminKey</c>,
    /// and a key configured here closes the open development mode.
    /// </summary>
    public static IServiceCollection AddLocalHostSecurity(this IServiceCollection services) =>
        services.AddOptions<SecurityOptions>().Configure<IOptions<LocalHostOptions>>((security, local) =>
        {
            if (local.Value.FunctionKey is { Length: > 0 } key)
            {
                security.PlatformKeys.Add(key);
            }
        }).Services;
}
