using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Infra;

/// <summary>infra/main.bicep compiled once to ARM JSON, with the function app's settings and secrets read out of it.</summary>
public sealed partial class CompiledTemplate : IAsyncLifetime
{
    public const string MainBicep = "infra/main.bicep";

    public int ExitCode { get; private set; }

    /// <summary>What bicep printed besides the template: diagnostics.</summary>
    public string Diagnostics { get; private set; } = string.Empty;

    public JsonObject Template { get; private set; } = new();

    public async Task InitializeAsync()
    {
        var result = await BicepCli.RunAsync("build", RepositoryFiles.PathOf(MainBicep), "--stdout");
        ExitCode = result.ExitCode;
        Diagnostics = result.StandardError;
        if (result.ExitCode == 0)
        {
            Template = JsonNode.Parse(result.StandardOutput)!.AsObject();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The function app resource (a container app of kind functionapp) and the module template holding it.</summary>
    public (JsonObject App, JsonObject Scope) FunctionApp()
    {
        var found = Resources(Template).Where(r => (string?)r.Resource["type"] == "Microsoft.App/containerApps").ToArray();
        Assert.True(found.Length == 1, $"Expected one Microsoft.App/containerApps in {MainBicep}, found {found.Length}.");
        return found[0];
    }

    /// <summary>The app's settings by name: the container's env entries that are always set.</summary>
    public IReadOnlyDictionary<string, JsonObject> AppSettings()
    {
        var (app, scope) = FunctionApp();
        return Entries(app["properties"]!["template"]!["containers"]![0]!["env"], scope).ToDictionary(e => (string)e["name"]!, StringComparer.Ordinal);
    }

    /// <summary>The app's secrets by name.</summary>
    public IReadOnlyDictionary<string, JsonObject> Secrets()
    {
        var (app, scope) = FunctionApp();
        return Entries(app["properties"]!["configuration"]!["secrets"], scope).ToDictionary(e => (string)e["name"]!, StringComparer.Ordinal);
    }

    /// <summary>Every resource of one type, in main.bicep and its modules.</summary>
    public IReadOnlyList<JsonObject> ResourcesOfType(string type) =>
        Resources(Template).Where(r => (string?)r.Resource["type"] == type).Select(r => r.Resource).ToArray();

    /// <summary>A parameter's declaration in main.bicep.</summary>
    public JsonObject Parameter(string name) =>
        Template["parameters"]?[name]?.AsObject() ?? throw new InvalidOperationException($"{MainBicep} declares no parameter '{name}'.");

    private static IEnumerable<(JsonObject Resource, JsonObject Scope)> Resources(JsonObject template)
    {
        foreach (var node in template["resources"]?.AsArray() ?? [])
        {
            var resource = node!.AsObject();
            yield return (resource, template);
            if (resource["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in Resources(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    // A literal array is read as is; an expression such as concat(variables('a'), variables('b')) is read through the
    // variables it names that are literal arrays. A conditional variable (an expression itself) is optional by design,
    // so it never counts as setting anything.
    private static IEnumerable<JsonObject> Entries(JsonNode? node, JsonObject scope) => node switch
    {
        JsonArray literal => literal.Select(e => e!.AsObject()),
        JsonValue expression when expression.TryGetValue<string>(out var text) => VariableReference().Matches(text)
            .Select(m => scope["variables"]?[m.Groups[1].Value])
            .OfType<JsonArray>()
            .SelectMany(a => a.Select(e => e!.AsObject())),
        _ => [],
    };

    [GeneratedRegex(@"variables\('([^']+)'\)")]
    private static partial Regex VariableReference();
}
