using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchard.LocalHost.Functions;

/// <summary>One function as the Functions SDK describes it in <c>functions.metadata</c>.</summary>
public sealed record FunctionDescriptor(string Name, string ScriptFile, string EntryPoint, IReadOnlyList<FunctionBinding> Bindings)
{
    /// <summary>The trigger binding (the one whose type ends in "Trigger"), if any.</summary>
    public FunctionBinding? Trigger => Bindings.FirstOrDefault(b => b.Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase));

    public bool IsHttp => string.Equals(Trigger?.Type, FunctionBinding.HttpTrigger, StringComparison.OrdinalIgnoreCase);

    public bool IsTimer => string.Equals(Trigger?.Type, FunctionBinding.TimerTrigger, StringComparison.OrdinalIgnoreCase);
}

/// <summary>A binding entry; only the fields the local host uses.</summary>
public sealed record FunctionBinding
{
    public const string HttpTrigger = "httpTrigger";
    public const string TimerTrigger = "timerTrigger";

    public string Name { get; init; } = "";

    public string Type { get; init; } = "";

    public string? Direction { get; init; }

    public string? AuthLevel { get; init; }

    public IReadOnlyList<string>? Methods { get; init; }

    public string? Route { get; init; }

    public string? Schedule { get; init; }

    public bool RunOnStartup { get; init; }
}

/// <summary>Reads <c>functions.metadata</c>, which the Functions SDK writes next to the app's assembly and into referencing projects' output.</summary>
public static class FunctionMetadata
{
    public const string FileName = "functions.metadata";

    static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>The metadata file in this process's base directory.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, FileName);

    public static IReadOnlyList<FunctionDescriptor> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No {FileName} at '{path}'. Build Orchard.Functions (the Functions SDK writes it).", path);
        }

        using var stream = File.OpenRead(path);
        var entries = JsonSerializer.Deserialize<List<Entry>>(stream, JsonOptions)
            ?? throw new InvalidDataException($"'{path}' holds no function list.");
        return entries
            .Select(e => new FunctionDescriptor(
                e.Name ?? throw new InvalidDataException($"A function in '{path}' has no name."),
                e.ScriptFile ?? throw new InvalidDataException($"Function '{e.Name}' in '{path}' has no scriptFile."),
                e.EntryPoint ?? throw new InvalidDataException($"Function '{e.Name}' in '{path}' has no entryPoint."),
                e.Bindings ?? []))
            .ToList();
    }

    sealed record Entry(string? Name, string? ScriptFile, string? EntryPoint, List<FunctionBinding>? Bindings);
}
