using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orchard.Domain.Telemetry;

namespace Orchard.Tests.Telemetry;

public sealed class TelemetryServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddOrchardTelemetry_BuildsTheProviders_WhenAzureMonitorOtlpAndConsoleAreAllOn()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [TelemetryServiceCollectionExtensions.AppInsightsConnectionSetting] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/",
            [TelemetryServiceCollectionExtensions.AppInsightsAuthenticationSetting] = "Authorization=AAD;ClientId=11111111-1111-1111-1111-111111111111",
            [TelemetryServiceCollectionExtensions.OtlpEndpointSetting] = "http://127.0.0.1:9",
            ["Telemetry:Console"] = "true",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);

        services.AddOrchardTelemetry(configuration);
        await using var provider = services.BuildServiceProvider();

        Assert.NotNull(provider.GetRequiredService<TracerProvider>());
        Assert.NotNull(provider.GetRequiredService<MeterProvider>());
    }

    [Theory]
    [InlineData("ClientId=11111111-1111-1111-1111-111111111111;Authorization=AAD")]
    [InlineData(" authorization = aad ")]
    public void EntraCredential_IsAManagedIdentity_WhenTheSettingAsksForEntra(string setting) =>
        Assert.IsType<ManagedIdentityCredential>(TelemetryServiceCollectionExtensions.EntraCredential(setting));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ClientId=11111111-1111-1111-1111-111111111111")]
    [InlineData("Authorization=Key")]
    public void EntraCredential_IsNone_WhenTheSettingDoesNotAskForEntra(string? setting) =>
        Assert.Null(TelemetryServiceCollectionExtensions.EntraCredential(setting));
}
