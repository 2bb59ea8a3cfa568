using Microsoft.Extensions.DependencyInjection;

namespace Orchard.Domain.Audio;

/// <summary>Registers the audio pipeline.</summary>
public static class AudioServiceCollectionExtensions
{
    /// <summary>Adds <see cref="AudioOptions"/> (section "Audio", validated on start) and the <see cref="AudioPipeline"/> singleton.</summary>
    public static IServiceCollection AddOrchardAudio(this IServiceCollection services)
    {
        services.AddOptions<AudioOptions>().BindConfiguration(AudioOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AudioPipeline>();
        return services;
    }
}
