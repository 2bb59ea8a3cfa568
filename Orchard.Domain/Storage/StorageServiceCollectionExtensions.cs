using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Orchard.Domain.Storage;

/// <summary>Registers Blob Storage.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="StorageOptions"/> and registers one <see cref="BlobServiceClient"/> and the
    /// <see cref="RecordingStore"/>. The Blob service version is pinned to one Azurite accepts.
    /// </summary>
    public static IServiceCollection AddOrchardStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var connection = options.ConnectionString is { Length: > 0 } configured
                ? configured
                : sp.GetRequiredService<IConfiguration>()["AzureWebJobsStorage"];
            if (string.IsNullOrWhiteSpace(connection))
            {
                throw new OptionsValidationException(nameof(StorageOptions.ConnectionString), typeof(StorageOptions),
                    ["No storage account configured: set AzureWebJobsStorage (or Storage:ConnectionString), e.g. UseDevelopmentStorage=true for Azurite."]);
            }

            return new BlobServiceClient(connection, new BlobClientOptions(BlobClientOptions.ServiceVersion.V2025_11_05));
        });
        services.TryAddSingleton<RecordingStore>();
        services.TryAddSingleton<UploadSlots>();
        services.TryAddSingleton<Orchard.Domain.Workers.IWorkerDirectory, BlobWorkerDirectory>();
        return services;
    }
}
