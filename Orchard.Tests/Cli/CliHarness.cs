using System.Net.Http.Json;
using Orchard.Cli;
using Orchard.Tests.Audio;
using Orchard.Tests.Infrastructure;
using Spectre.Console.Cli.Testing;
using Spectre.Console.Testing;

namespace Orchard.Tests.Cli;

/// <summary>
/// The orchard CLI run in-process (Spectre's <see cref="CommandAppTester"/> with its test console) against an
/// <see cref="ApiHost"/> with a fake worker; every request goes through a <see cref="CountingHandler"/>.
/// </summary>
public sealed class CliHarness : IAsyncDisposable
{
    private CliHarness(ApiHost host, FakeWorker worker, TempDir dir)
    {
        Host = host;
        Worker = worker;
        Dir = dir;
    }

    public ApiHost Host { get; }

    public FakeWorker Worker { get; }

    public TempDir Dir { get; }

    public string Master => Host.Client.BaseAddress!.ToString().TrimEnd('/');

    public string StateDirectory => Dir.File("state");

    public static async Task<CliHarness> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var host = await ApiHost.StartAsync(settings);
        var worker = await FakeWorker.StartAsync();
        var dir = new TempDir();
        if (settings?.TryGetValue("LocalHost:FunctionKey", out var key) == true)
        {
            host.Client.DefaultRequestHeaders.Add("x-functions-key", key);
        }

        using var added = await host.Client.PostAsJsonAsync(new Uri("workers/add", UriKind.Relative), new { url = worker.Url });
        added.EnsureSuccessStatusCode();
        return new CliHarness(host, worker, dir);
    }

    /// <summary>An environment for the CLI: this harness's state folder, quick polls, requests through <paramref name="handler"/>.</summary>
    public CliEnvironment Environment(CountingHandler? handler = null, long? uploadThreshold = null, int blockSize = 64 * 1024, IDictionary<string, string>? variables = null) => new()
    {
        Handler = () => handler ?? new CountingHandler(),
        StateDirectory = StateDirectory,
        UploadThreshold = uploadThreshold ?? CliEnvironment.DefaultUploadThreshold,
        BlockSize = blockSize,
        PollInterval = TimeSpan.FromMilliseconds(100),
        Variable = name => variables is not null && variables.TryGetValue(name, out var value) ? value : null,
    };

    /// <summary>Runs one command line, bounded in time (a job the CLI waits for ends well within it).</summary>
    public static async Task<CommandAppResult> RunAsync(CliEnvironment environment, TestConsole? console = null, params string[] args)
    {
        var tester = new CommandAppTester(registrar: null, settings: null, console: console ?? new TestConsole().Width(200));
        tester.Configure(config => Orchard.Cli.OrchardApp.Configure(config, environment));
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        return await tester.RunAsync(args, limit.Token);
    }

    public Task<CommandAppResult> RunAsync(CliEnvironment environment, params string[] args) => RunAsync(environment, null, [.. args, "--master", Master]);

    public async ValueTask DisposeAsync()
    {
        await Worker.DisposeAsync();
        await Host.DisposeAsync();
        Dir.Dispose();
    }
}

/// <summary>The CLI's network, counted by kind of request; it can break after some blocks, as a dropped link would.</summary>
public sealed class CountingHandler : DelegatingHandler
{
    private int blocks;
    private int blockLists;
    private int uploads;
    private int submissions;

    public CountingHandler()
        : base(new SocketsHttpHandler())
    {
    }

    /// <summary>Put Block requests past this many fail with a connection error.</summary>
    public int? FailAfterBlocks { get; init; }

    public int Blocks => blocks;

    public int BlockLists => blockLists;

    /// <summary><c>POST /uploads</c>: new upload slots.</summary>
    public int Uploads => uploads;

    /// <summary><c>POST /jobs</c>.</summary>
    public int Submissions => submissions;

    public List<string> SentKeys { get; } = [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var query = request.RequestUri!.Query;
        var path = request.RequestUri.AbsolutePath;
        lock (SentKeys)
        {
            if (request.Headers.TryGetValues("x-functions-key", out var keys))
            {
                SentKeys.Add($"{request.Method} {path}: {string.Join(',', keys)}");
            }
        }

        if (request.Method == HttpMethod.Put && query.Contains("comp=blocklist", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref blockLists);
        }
        else if (request.Method == HttpMethod.Put && query.Contains("comp=block", StringComparison.Ordinal))
        {
            if (Interlocked.Increment(ref blocks) > FailAfterBlocks)
            {
                throw new HttpRequestException("Connection reset by peer");
            }
        }
        else if (request.Method == HttpMethod.Post && path.EndsWith("/uploads", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref uploads);
        }
        else if (request.Method == HttpMethod.Post && path.EndsWith("/jobs", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref submissions);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
