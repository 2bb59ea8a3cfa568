using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Orchard.LocalHost;

/// <summary>Reads the <c>Values</c> of the repo's local.settings.json, the file <c>func start</c> would read.</summary>
internal static class LocalSettings
{
    const string FileName = "local.settings.json";

    /// <summary>Nearest local.settings.json from the working directory upwards, then from the assembly's folder upwards.</summary>
    public static string? Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, FileName);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>The Values as configuration pairs; "A__B" keys become "A:B" as in environment variables.</summary>
    public static Dictionary<string, string?> ReadValues(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (document.RootElement.TryGetProperty("Values", out var section) && section.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in section.EnumerateObject())
            {
                values[property.Name.Replace("__", ":", StringComparison.Ordinal)] =
                    property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
            }
        }

        return values;
    }
}
