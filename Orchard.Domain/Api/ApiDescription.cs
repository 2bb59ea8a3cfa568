using System.Reflection;

namespace Orchard.Domain.Api;

/// <summary>
/// The OpenAPI 3.1 document of Orchard's HTTP API (<c>GET /openapi.json</c>), kept by hand beside the code in
/// <c>openapi.json</c>: tests check that it names every route in functions.metadata and that live answers match it.
/// </summary>
public static class ApiDescription
{
    private const string ResourceName = "Orchard.Domain.Api.openapi.json";
    private static readonly Lazy<string> Document = new(Load);

    /// <summary>The document as served.</summary>
    public static string Json => Document.Value;

    private static string Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from Orchard.Domain.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
