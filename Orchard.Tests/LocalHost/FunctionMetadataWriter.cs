using System.Reflection;
using System.Text.Json;

namespace Orchard.Tests.LocalHost;

/// <summary>Writes a functions.metadata in the SDK's format for methods of this test assembly.</summary>
internal static class FunctionMetadataWriter
{
    public static object Http(MethodInfo method, string authLevel, string route, params string[] methods) =>
        Entry(method, new { name = "req", direction = "In", type = "httpTrigger", authLevel, methods, route, properties = new { } });

    public static object Timer(MethodInfo method, string schedule) =>
        Entry(method, new { name = "timer", direction = "In", type = "timerTrigger", schedule, runOnStartup = false, properties = new { } });

    public static string Write(params object[] entries)
    {
        var path = Path.Combine(Path.GetTempPath(), $"orchard-{Guid.NewGuid():N}.functions.metadata");
        File.WriteAllText(path, JsonSerializer.Serialize(entries));
        return path;
    }

    static object Entry(MethodInfo method, object trigger) => new
    {
        name = method.Name,
        scriptFile = Path.GetFileName(method.DeclaringType!.Assembly.Location),
        entryPoint = $"{method.DeclaringType!.FullName}.{method.Name}",
        language = "dotnet-isolated",
        properties = new { IsCodeless = false },
        bindings = new object[] { trigger, new { name = "$return", type = "http", direction = "Out" } },
    };
}
