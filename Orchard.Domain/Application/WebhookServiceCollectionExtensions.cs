using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orchard.Domain.Net;
using Orchard.Domain.Webhooks;

namespace Orchard.Domain.Application;

/// <summary>Registers completion webhooks: options, the guarded HTTP client and the delivery.</summary>
public static class WebhookServiceCollectionExtensions
{
    public static IServiceCollection AddOrchardWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhooksOptions>().BindConfiguration(WebhooksOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOutboundHttpClient(CallbackDelivery.HttpClientName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CallbackDelivery>();
        return services;
    }
}
