using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Orchard.Domain.Telemetry;

/// <summary>
/// Registers Orchard's telemetry: its instruments, and the OpenTelemetry SDK collecting Orchard's spans and metrics,
/// the Durable Task SDK's spans (client and worker) and the HTTP client's (worker requests, blob calls), with the
/// exporters the settings switch on.
/// </summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>The Functions host's setting for Application Insights; its presence switches the Azure Monitor exporter on.</summary>
    public const string AppInsightsConnectionSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>The Functions host's setting for Entra authentication to Application Insights: <c>Authorization=AAD;ClientId=&lt;id&gt;</c>.</summary>
    public const string AppInsightsAuthenticationSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>The standard OTLP setting; its presence switches the OTLP exporter on.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The Durable Task SDK's source: <c>create_orchestration</c> in the client, orchestration and activity spans in a standalone worker.</summary>
    public const string DurableTaskSource = "Microsoft.DurableTask";

    public static IServiceCollection AddOrchardTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<QueueDepthProbe>();
        services.TryAddSingleton<OrchardTelemetry>();

        // Exporters are chosen at registration, as the SDK requires, from the same configuration the options bind.
        var options = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] ?? "orchard"))
            .WithTracing(t => t
                .AddSource(OrchardTelemetry.SourceName, DurableTaskSource)
                // A span per worker request (its traceparent reaches the worker) and per blob call of a job or request.
                .AddHttpClientInstrumentation(o => o.FilterHttpRequestMessage = OrchardTelemetry.IsTracedRequest))
            .WithMetrics(m => m.AddMeter(OrchardTelemetry.MeterName).AddHttpClientInstrumentation());
        if (!string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting]))
        {
            // Reads OTEL_EXPORTER_OTLP_* (endpoint, headers, protocol) itself; logs go too.
            telemetry.UseOtlpExporter();
        }

        if (configuration[AppInsightsConnectionSetting] is { Length: > 0 } connectionString)
        {
            var credential = EntraCredential(configuration[AppInsightsAuthenticationSetting]);
            telemetry.UseAzureMonitorExporter(o =>
            {
                o.ConnectionString = connectionString;
                o.Credential = credential;
            });
        }

        if (options.Console)
        {
            telemetry.WithTracing(t => t.AddConsoleExporter()).WithMetrics(m => m.AddConsoleExporter());
        }

        return services;
    }

    /// <summary>
    /// The identity behind <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c>, read as the Functions host reads it: an
    /// Application Insights that takes only Entra-authenticated telemetry (the one <c>infra/</c> deploys) refuses the
    /// connection string's key alone. Null when the setting does not ask for Entra.
    /// </summary>
    public static TokenCredential? EntraCredential(string? authentication)
    {
        if (string.IsNullOrWhiteSpace(authentication))
        {
            return null;
        }

        var parts = authentication.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0], StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var scheme) || !scheme.Equals("AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}
