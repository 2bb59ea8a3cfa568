using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orchard.Domain.Telemetry;

namespace Orchard.LocalHost;

/// <summary>
/// What the local host adds to the app's telemetry: it is the front door the Functions host is in the cloud, so its
/// ASP.NET Core request spans and metrics stand in for the host's request telemetry. (In the Functions worker they
/// would repeat the host's, for requests the host proxies in.)
/// </summary>
public static class LocalHostTelemetry
{
    public const string AspNetCoreSource = "Microsoft.AspNetCore";

    public static IServiceCollection AddLocalHostTelemetry(this IServiceCollection services) =>
        services
            .ConfigureOpenTelemetryTracerProvider(t => t.AddAspNetCoreInstrumentation(o => o.Filter = c => !OrchardTelemetry.IsGrpc(c.Request.ContentType)))
            .ConfigureOpenTelemetryMeterProvider(m => m.AddAspNetCoreInstrumentation());
}
