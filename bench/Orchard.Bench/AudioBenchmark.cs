namespace Orchard.Bench;

internal static class AudioBenchmark
{
    public static Task RunAsync(string resultsFile) => throw new NotImplementedException("audio benchmark comes with the audio pipeline");
}
