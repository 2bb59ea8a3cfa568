using System.Text.Json;

namespace Orchard.Functions.Runtime;

/// <summary>Reading host.json as the Functions host does: property names match case-insensitively.</summary>
public static class HostJsonFile
{
    /// <summary>A property of a host.json object matched case-insensitively, as the Functions host reads it; null when absent.</summary>
    public static JsonElement? Child(JsonElement? parent, string name)
    {
        if (parent is not { ValueKind: JsonValueKind.Object } element)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }
}
