namespace Orchard.Tests.Infrastructure;

/// <summary>Files of the repository itself (infra/, Dockerfile, samples), found from the test binaries upwards.</summary>
public static class RepositoryFiles
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The folder holding Orchard.sln.</summary>
    public static string Root => RootPath.Value;

    /// <summary>The absolute path of a file given relative to the repository root.</summary>
    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orchard.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Orchard.sln above {AppContext.BaseDirectory}: run the tests from the repository.");
    }
}
