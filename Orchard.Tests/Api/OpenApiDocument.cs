using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Orchard.Domain.Api;

namespace Orchard.Tests.Api;

/// <summary>
/// The served OpenAPI document, read for tests: its operations, and JSON Schema validation of instances against
/// any schema in it (JsonSchema.Net, draft 2020-12, which OpenAPI 3.1 uses), <c>$ref</c>s resolved within it.
/// </summary>
internal sealed class OpenApiDocument
{
    private const string BaseUri = "https://orchard.test/openapi.json";
    private static readonly Lazy<OpenApiDocument> Served = new(() => new OpenApiDocument(ApiDescription.Json));
    private readonly BuildOptions build;

    private OpenApiDocument(string json)
    {
        Root = JsonNode.Parse(json)!.AsObject();
        var registry = new SchemaRegistry();
        using var document = JsonDocument.Parse(json);
        registry.Register(new JsonElementBaseDocument(document.RootElement.Clone(), new Uri(BaseUri)));
        build = new BuildOptions { SchemaRegistry = registry };
    }

    public static OpenApiDocument Current => Served.Value;

    public JsonObject Root { get; }

    public JsonObject Paths => Root["paths"]!.AsObject();

    /// <summary>The operation at a path template and method, or null.</summary>
    public JsonObject? Operation(string template, string method) => Paths[template]?[method.ToLowerInvariant()] as JsonObject;

    /// <summary>Every media type in the document that carries both a schema and an example: (where the schema is, the example).</summary>
    public IEnumerable<(string SchemaPointer, JsonNode Example)> Examples() => Walk(Root, string.Empty)
        .Where(n => n.Node is JsonObject o && o.ContainsKey("schema") && o.ContainsKey("example"))
        .Select(n => (n.Pointer + "/schema", n.Node["example"]!));

    /// <summary>The answer an operation lists for a status, a <c>$ref</c> to a shared response followed: (its pointer, it), or null.</summary>
    public (string Pointer, JsonObject Response)? Response(string template, string method, int status)
    {
        var response = Operation(template, method)?["responses"]?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        var pointer = $"/paths/{Escape(template)}/{method.ToLowerInvariant()}/responses/{status}";
        if ((string?)response?["$ref"] is { } reference)
        {
            pointer = reference.TrimStart('#');
            response = Resolve(pointer);
        }

        return response is JsonObject found ? (pointer, found) : null;
    }

    /// <summary>
    /// The pointer to the schema of an answer for <paramref name="mediaType"/>, or for its range (<c>audio/*</c>) when the
    /// document lists that instead; null when the status is not listed, <c>…/content/none</c> when the media type is not.
    /// </summary>
    public string? ResponseSchema(string template, string method, int status, string mediaType = "application/json")
    {
        if (Response(template, method, status) is not var (pointer, response))
        {
            return null;
        }

        var range = mediaType.Split('/')[0] + "/*";
        var listed = response["content"]?[mediaType] is not null ? mediaType : response["content"]?[range] is not null ? range : null;
        return listed is null ? pointer + "/content/none" : $"{pointer}/content/{Escape(listed)}/schema";
    }

    /// <summary>What is wrong with <paramref name="instance"/> by the schema at <paramref name="schemaPointer"/>; empty when valid.</summary>
    public IReadOnlyList<string> Validate(string schemaPointer, JsonNode? instance)
    {
        if (Resolve(schemaPointer) is null)
        {
            return [$"the document has no schema at {schemaPointer}"];
        }

        var schema = JsonSchema.FromText(new JsonObject { ["$ref"] = BaseUri + "#" + schemaPointer }.ToJsonString(), build);
        using var document = JsonDocument.Parse(instance?.ToJsonString() ?? "null");
        var result = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        return result.IsValid
            ? []
            : (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}"))
                .DefaultIfEmpty("invalid")
                .ToArray();
    }

    public JsonNode? Resolve(string pointer)
    {
        JsonNode? node = Root;
        foreach (var part in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node is JsonObject o ? o[Unescape(part)] : node is JsonArray a && int.TryParse(part, out var i) && i < a.Count ? a[i] : null;
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    public static string Escape(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static string Unescape(string segment) => segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    private static IEnumerable<(string Pointer, JsonNode Node)> Walk(JsonNode node, string pointer)
    {
        yield return (pointer, node);
        var children = node switch
        {
            JsonObject o => o.Select(p => (Key: p.Key, Value: p.Value)),
            JsonArray a => a.Select((v, i) => (Key: i.ToString(System.Globalization.CultureInfo.InvariantCulture), Value: v)),
            _ => [],
        };
        foreach (var (key, value) in children)
        {
            if (value is not null)
            {
                foreach (var inner in Walk(value, $"{pointer}/{Escape(key)}"))
                {
                    yield return inner;
                }
            }
        }
    }
}
