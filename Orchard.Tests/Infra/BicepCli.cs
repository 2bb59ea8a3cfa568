using System.Reflection;
using Orchard.Domain.Audio;

namespace Orchard.Tests.Infra;

/// <summary>
/// The Bicep CLI from the Azure.Bicep.CommandLine.linux-x64 package that <c>dotnet restore</c> brings (its path is
/// baked into the test assembly by Orchard.Tests.csproj): nothing is downloaded at test time.
/// </summary>
public static class BicepCli
{
    // A build of main.bicep takes a few seconds; the bound only keeps a wedged process from holding the run.
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>The bicep executable restored from NuGet.</summary>
    public static string Executable
    {
        get
        {
            var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .SingleOrDefault(a => a.Key == "BicepPath")?.Value;
            if (string.IsNullOrEmpty(path) || !File.Exists(path))
            {
                Assert.Fail($"The Bicep CLI is not at '{path}': restore Orchard.Tests (package Azure.Bicep.CommandLine.linux-x64).");
            }

            // NuGet does not promise to keep the executable bit of a package's files.
            if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(path) is var mode && !mode.HasFlag(UnixFileMode.UserExecute))
            {
                File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute);
            }

            return path;
        }
    }

    /// <summary>Runs bicep with the arguments from the repository root; stdout is captured.</summary>
    internal static Task<ToolResult> RunAsync(params string[] arguments) =>
        ExternalTool.RunAsync(Executable, arguments, Timeout, captureStdout: true, CancellationToken.None);
}
