using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchard.Domain.Hosting;
using Orchard.Functions;

namespace Orchard.Tests.Functions;

public sealed class OrchardFunctionAppExtensionsTests
{
    [Fact]
    public void AddOrchardHttpLimits_LetsBodiesUpToTheHostsLimitReachTheApp_InsteadOfKestrels30MB()
    {
        var services = new ServiceCollection();

        services.AddOrchardHttpLimits();

        using var provider = services.BuildServiceProvider();
        var limit = provider.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits.MaxRequestBodySize;
        Assert.Equal(FunctionsHostLimits.MaxRequestBodyBytes, limit);
        Assert.True(limit > 30_000_000);
    }
}
