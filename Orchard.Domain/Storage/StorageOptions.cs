using System.ComponentModel.DataAnnotations;

namespace Orchard.Domain.Storage;

/// <summary>Blob Storage settings (section <c>Storage</c>); the connection string defaults to <c>AzureWebJobsStorage</c>.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Storage account connection string; empty means the app's <c>AzureWebJobsStorage</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The container holding uploads, chunks, results and transcripts.</summary>
    [Required]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "Storage:ContainerName must be a valid blob container name (3-63 lowercase letters, digits, dashes).")]
    public string ContainerName { get; set; } = "orchard";

    /// <summary>Largest accepted recording, in bytes (default 2 GB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 2L * 1024 * 1024 * 1024;
}
