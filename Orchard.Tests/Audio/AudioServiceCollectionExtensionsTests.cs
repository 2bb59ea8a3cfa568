using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Audio;

namespace Orchard.Tests.Audio;

public class AudioServiceCollectionExtensionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddOrchardAudio();
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddOrchardAudio_RegistersPipelineAndBindsOptions_FromAudioSection()
    {
        using var provider = Build(new() { ["Audio:MaxChunkSeconds"] = "120", ["Audio:FfmpegTimeout"] = "00:02:00" });
        Assert.Same(provider.GetRequiredService<AudioPipeline>(), provider.GetRequiredService<AudioPipeline>());
        var options = provider.GetRequiredService<IOptions<AudioOptions>>().Value;
        Assert.Equal(120, options.MaxChunkSeconds);
        Assert.Equal(TimeSpan.FromMinutes(2), options.FfmpegTimeout);
        Assert.NotNull(provider.GetService<ILogger<AudioPipeline>>());
    }

    [Fact]
    public void AddOrchardAudio_RejectsInvalidOptions_OnResolve()
    {
        using var provider = Build(new() { ["Audio:MinChunkSeconds"] = "500", ["Audio:MaxChunkSeconds"] = "100" });
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AudioOptions>>().Value);
    }
}
