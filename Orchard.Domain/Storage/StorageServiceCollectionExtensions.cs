using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchard.Domain.Hosting;

namespace Orchard.Domain.Storage;

/// <summary>Registers Blob Storage.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="StorageOptions"/> (the local upload cache defaults to on in Development only) and registers the
    /// <see cref="StorageConnection"/>, one <see cref="BlobServiceClient"/> built from it, the <see cref="RecordingStore"/>
    /// and the <see cref="LocalSourceCache"/>.
    /// </summary>
    public static IServiceCollection AddOrchardStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>()
            .Configure<IConfiguration>((o, configuration) => o.LocalSourceCache = FunctionsEnvironment.IsDevelopment(configuration))
            .BindConfiguration(StorageOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            try
            {
                return StorageConnection.FromConfiguration(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IOptions<StorageOptions>>().Value);
            }
            catch (InvalidOperationException ex)
            {
                throw new OptionsValidationException(StorageConnection.HostConnectionName, typeof(StorageOptions), [ex.Message]);
            }
        });
        services.TryAddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateBlobServiceClient());
        services.TryAddSingleton<RecordingStore>();
        services.TryAddSingleton<UploadSlots>();
        services.TryAddSingleton<Orchard.Domain.Workers.IWorkerDirectory, BlobWorkerDirectory>();
        services.TryAddSingleton<LocalSourceCache>();
        return services;
    }
}
