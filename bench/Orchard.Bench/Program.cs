using Orchard.Bench;

// One command per benchmark: dotnet run -c Release --project bench/Orchard.Bench -- <name> [results-file]
var benchmarks = new Dictionary<string, Func<string, Task>>(StringComparer.OrdinalIgnoreCase)
{
    ["state"] = StateBenchmark.RunAsync,
    ["audio"] = AudioBenchmark.RunAsync,
    ["makespan"] = MakespanBenchmark.RunAsync,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: Orchard.Bench <{string.Join('|', benchmarks.Keys)}> [results-file]");
    return 2;
}

var resultsFile = args.Length > 1 ? args[1] : Path.Combine("bench", "results", $"{args[0].ToLowerInvariant()}.md");
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(resultsFile))!);
await run(resultsFile);
Console.WriteLine($"results written to {resultsFile}");
return 0;
