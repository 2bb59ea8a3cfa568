using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchard.Cli.Uploads;
using Orchard.Domain.Storage;
using Orchard.Tests.Functions.Orchestration;

namespace Orchard.Tests.Cli.Uploads;

/// <summary><c>orchard submit</c> for files over the upload threshold: blocks through <c>/uploads</c>, resumable.</summary>
public sealed class BlockUploadTests
{
    private const int BlockSize = 64 * 1024;

    [Fact]
    public async Task Submit_UploadsInBlocksThroughUploads_WhenTheFileIsOverTheThreshold()
    {
        await using var cli = await CliHarness.StartAsync(new Dictionary<string, string?> { ["LocalHost:FunctionKey"] = "k-upload" });
        var (recording, _) = OrchestrationHarness.Recording(cli.Dir, 20, seed: 41);
        var blocks = (int)((new FileInfo(recording).Length + BlockSize - 1) / BlockSize);
        var network = new CountingHandler();

        var result = await cli.RunAsync(cli.Environment(network, uploadThreshold: 1000, blockSize: BlockSize), "submit", recording, "--wait", "--key", "k-upload");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.True(blocks >= 8, $"{blocks} blocks");
        Assert.Equal(1, network.Uploads);
        Assert.Equal(blocks, network.Blocks);
        Assert.Equal(1, network.BlockLists);
        Assert.Equal(1, network.Submissions);
        var jobId = await SourceMatchesAsync(cli, recording);
        Assert.Equal("completed", (await cli.Host.Jobs.GetAsync(jobId))!.Status.ToString().ToLowerInvariant());
        // The key goes to the master only, never to the storage service behind the upload URL.
        Assert.NotEmpty(network.SentKeys);
        Assert.All(network.SentKeys, k => Assert.Matches("^(GET|POST) /(jobs|uploads)[^:]*: k-upload$", k));
        Assert.Empty(Directory.EnumerateFiles(new UploadStateStore(cli.StateDirectory).Directory));
    }

    [Fact]
    public async Task Submit_ResumesAnInterruptedUpload_WithoutSendingStoredBlocksAgain()
    {
        await using var cli = await CliHarness.StartAsync();
        var (recording, _) = OrchestrationHarness.Recording(cli.Dir, 20, seed: 42);
        var blocks = (int)((new FileInfo(recording).Length + BlockSize - 1) / BlockSize);
        var broken = new CountingHandler { FailAfterBlocks = 3 };
        var resumed = new CountingHandler();
        var output = cli.Dir.File("talk.vtt");
        string[] args = ["submit", recording, "--wait", "--format", "vtt", "-o", output];

        var first = await cli.RunAsync(cli.Environment(broken, uploadThreshold: 1000, blockSize: BlockSize), args);
        var store = new UploadStateStore(cli.StateDirectory);
        var kept = store.Load(cli.Master + "/", recording);
        var second = await cli.RunAsync(cli.Environment(resumed, uploadThreshold: 1000, blockSize: BlockSize), args);

        Assert.Equal(1, first.ExitCode);
        Assert.Contains("Run the same command again to resume the upload (3 blocks are stored)", first.Output.ReplaceLineEndings(" "), StringComparison.Ordinal);
        Assert.Equal(0, broken.Submissions);
        Assert.NotNull(kept);
        Assert.Equal([0, 1, 2], kept.Staged);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Equal(0, resumed.Uploads);
        Assert.Equal(blocks - 3, resumed.Blocks);
        Assert.Equal(1, resumed.BlockLists);
        await SourceMatchesAsync(cli, recording);
        Assert.StartsWith("WEBVTT", await File.ReadAllTextAsync(output), StringComparison.Ordinal);
        Assert.Null(store.Load(cli.Master + "/", recording));
    }

    [Fact]
    public async Task Submit_StartsANewUpload_WhenTheFileChangedSinceTheInterruption()
    {
        await using var cli = await CliHarness.StartAsync();
        var (recording, _) = OrchestrationHarness.Recording(cli.Dir, 20, seed: 43);
        var blocks = (int)((new FileInfo(recording).Length + BlockSize - 1) / BlockSize);
        var broken = new CountingHandler { FailAfterBlocks = 2 };
        var afresh = new CountingHandler();

        var first = await cli.RunAsync(cli.Environment(broken, uploadThreshold: 1000, blockSize: BlockSize), "submit", recording);
        File.Copy(OrchestrationHarness.Recording(cli.Dir, 20, seed: 44).Path, recording, overwrite: true);
        var second = await cli.RunAsync(cli.Environment(afresh, uploadThreshold: 1000, blockSize: BlockSize), "submit", recording, "--wait");

        Assert.Equal(1, first.ExitCode);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Equal(1, afresh.Uploads);
        Assert.Equal(blocks, afresh.Blocks);
        await SourceMatchesAsync(cli, recording);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Save_WritesAStateOnlyItsOwnerCanRead()
    {
        using var dir = new Orchard.Tests.Audio.TempDir();
        var store = new UploadStateStore(dir.Path);
        var state = new UploadState
        {
            Master = "http://127.0.0.1:7071/", File = "/tmp/a.wav", Fingerprint = "1:2:AB", Blob = "b", UploadUrl = "http://127.0.0.1:10000/x?sig=s",
            ExpiresAt = DateTimeOffset.UtcNow.AddHours(1), BlockSize = 4, Staged = [0, 2],
        };

        store.Save(state);
        var loaded = store.Load(state.Master, state.File);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.PathOf(state.Master, state.File)));
        Assert.Equal([0, 2], loaded!.Staged);
        Assert.Equal(state.UploadUrl, loaded.UploadUrl);
        Assert.Null(store.Load("http://other:7071/", state.File));
    }

    /// <summary>The newest job's stored recording is the file, byte for byte; answers the job's id.</summary>
    private static async Task<string> SourceMatchesAsync(CliHarness cli, string recording)
    {
        var newest = await cli.Host.Client.GetFromJsonAsync<JsonObject>(new Uri("jobs?limit=1&view=summary", UriKind.Relative));
        var jobId = (string)newest!["jobs"]![0]!["job_id"]!;
        var stored = (await cli.Host.Container.GetBlobClient(RecordingStore.SourceBlob(jobId)).DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(await File.ReadAllBytesAsync(recording), stored);
        return jobId;
    }
}
