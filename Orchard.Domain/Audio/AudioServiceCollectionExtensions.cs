using Microsoft.Extensions.DependencyInjection;

namespace Orchard.Domain.Audio;

/// <summary>Registers the audio pipeline.</summary>
public static class AudioServiceCollectionExtensions
{
    /// <summary>Adds <see cref="AudioOptions"/> (section "Audio", validated on start) and the <see cref="AudioPipeline"/> singleton, and the start-up check of ffmpeg and ffprobe.</summary>
    public static IServiceCollection AddOrchardAudio(this IServiceCollection services)
    {
        services.AddOptions<AudioOptions>().BindConfiguration(AudioOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AudioPipeline>();
        services.AddSingleton<AudioTools>();
        services.AddHostedService(sp => sp.GetRequiredService<AudioTools>());
        return services;
    }
}
