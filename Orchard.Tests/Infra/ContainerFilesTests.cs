using System.Text.RegularExpressions;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Infra;

/// <summary>
/// What can be checked of the Dockerfile and docker-compose.yml without a Docker engine: the image the app runs on,
/// ffmpeg in it, the published project, and only loopback ports on the developer's machine.
/// </summary>
public sealed partial class ContainerFilesTests
{
    [Fact]
    public void Dockerfile_InstallsFfmpegOnFunctionsIsolatedImage_WhenRead()
    {
        var lines = File.ReadAllLines(RepositoryFiles.PathOf("Dockerfile")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        var text = string.Join('\n', lines);
        var stages = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToArray();

        Assert.Equal("FROM mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0", stages[^1]);
        Assert.Contains(stages, s => s.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0 ", StringComparison.Ordinal));
        Assert.Matches(@"apt-get install [^\n]*\bffmpeg\b", text);
        Assert.Contains("dotnet publish Orchard.Functions -c Release -o /home/site/wwwroot", text, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobsScriptRoot=/home/site/wwwroot", text, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?i)(AccountKey|password|ARG [A-Z_]*(KEY|SECRET|TOKEN))", text);
    }

    [Fact]
    public void Dockerignore_KeepsLocalSettingsOut_WhenRead()
    {
        var ignored = File.ReadAllLines(RepositoryFiles.PathOf(".dockerignore")).Select(l => l.Trim()).ToArray();

        Assert.Contains("**/local.settings.json", ignored);
        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
    }

    [Fact]
    public void Compose_BindsOnlyLoopback_WhenRead()
    {
        var ports = PortMapping().Matches(File.ReadAllText(RepositoryFiles.PathOf("docker-compose.yml"))).Select(m => m.Groups[1].Value).ToArray();

        Assert.NotEmpty(ports);
        Assert.All(ports, p => Assert.StartsWith("127.0.0.1:", p, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^\s*-\s*""?([0-9.:]+:[0-9]+)""?\s*$", RegexOptions.Multiline)]
    private static partial Regex PortMapping();
}
