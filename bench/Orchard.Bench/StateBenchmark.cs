namespace Orchard.Bench;

internal static class StateBenchmark
{
    public static Task RunAsync(string resultsFile) => throw new NotImplementedException("state benchmark comes with the state store");
}
