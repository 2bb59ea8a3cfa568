using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchard.Domain.Hosting;
using Orchard.Domain.State;

namespace Orchard.Tests.State;

public sealed class StateServiceCollectionExtensionsTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("Production", false)]
    [InlineData("Staging", false)]
    [InlineData("Development", true)]
    [InlineData("development", true)]
    public void AddOrchardState_DefaultsFallbackToMemory_ByFunctionsEnvironment(string? environment, bool expected)
    {
        var options = Resolve(new Dictionary<string, string?> { [FunctionsEnvironment.Variable] = environment });

        Assert.Equal(expected, options.FallbackToMemory);
    }

    [Theory]
    [InlineData("Development", "false", false)]
    [InlineData("Production", "true", true)]
    public void AddOrchardState_LetsTheSettingWin_OverTheEnvironmentDefault(string environment, string setting, bool expected)
    {
        var options = Resolve(new Dictionary<string, string?>
        {
            [FunctionsEnvironment.Variable] = environment,
            ["State:FallbackToMemory"] = setting,
        });

        Assert.Equal(expected, options.FallbackToMemory);
    }

    [Fact]
    public void AddOrchardState_RefusesToStart_WhenProductionHasNoRedisSetting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new Dictionary<string, string?>
        {
            [FunctionsEnvironment.Variable] = "Production",
            ["State:RedisConnectionString"] = "",
        }));

        Assert.Contains("State:RedisConnectionString", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Options as the app binds them; nothing connects to Redis (the backend is never resolved).</summary>
    static StateOptions Resolve(Dictionary<string, string?> settings)
    {
        settings.TryAdd("State:RedisConnectionString", "127.0.0.1:6379");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddOrchardState();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<StateOptions>>().Value;
    }
}
