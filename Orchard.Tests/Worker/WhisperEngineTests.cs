using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchard.Tests.Audio;
using Orchard.Worker.Audio;
using Orchard.Worker.Core;
using Orchard.Worker.Engines;
using Whisper.net;
using Whisper.net.Ggml;
using Whisper.net.LibraryLoader;

namespace Orchard.Tests.Worker;

/// <summary>
/// Whisper as far as this machine allows: no ggml model can be fetched here (no model hub), so these tests check
/// loading, the native runtime and the errors for a missing or corrupt model, not recognition.
/// </summary>
public class WhisperEngineTests
{
    private static WhisperEngine Create(string modelPath, bool download = false, Func<GgmlType, CancellationToken, Task<Stream>>? source = null) =>
        new(
            Options.Create(new WorkerOptions { Engine = WorkerOptions.Whisper, ModelPath = modelPath, DownloadModel = download }),
            NullLogger<WhisperEngine>.Instance,
            source ?? ((_, _) => throw new InvalidOperationException("no download expected")));

    private static NormalizedAudio OneSecond(TempDir dir)
    {
        var path = dir.File("audio.wav");
        File.WriteAllBytes(path, WorkerAudio.Wav16k(1));
        return new NormalizedAudio(path, 16000);
    }

    [Fact]
    public async Task TranscribeAsync_ThrowsNamingThePath_WhenModelFileMissing_NoGgmlModelAvailableHere()
    {
        using var dir = new TempDir();
        var model = dir.File("ggml-base.bin");
        using var engine = Create(model);

        var error = await Assert.ThrowsAsync<WhisperModelException>(() => engine.TranscribeAsync(OneSecond(dir), "auto", CancellationToken.None));

        Assert.Contains(model, error.Message, StringComparison.Ordinal);
        Assert.Contains("Worker:ModelPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TranscribeAsync_ThrowsNamingPathAndDownloadFailure_WhenModelFileMissingAndDownloadFails_NoInternetHere()
    {
        using var dir = new TempDir();
        var model = dir.File("models/ggml-base.bin");
        using var engine = Create(model, download: true, source: (_, _) => throw new HttpRequestException("no route to the model hub"));

        var error = await Assert.ThrowsAsync<WhisperModelException>(() => engine.TranscribeAsync(OneSecond(dir), "auto", CancellationToken.None));

        Assert.Contains(model, error.Message, StringComparison.Ordinal);
        Assert.Contains("no route to the model hub", error.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.False(File.Exists(model + ".download"));
        Assert.False(File.Exists(model));
    }

    [Fact]
    public async Task TranscribeAsync_ThrowsNamingThePath_WhenModelFileCorrupt_NoGgmlModelAvailableHere()
    {
        using var dir = new TempDir();
        var model = dir.File("ggml-base.bin");
        File.WriteAllBytes(model, new byte[4096]);
        using var engine = Create(model);

        var error = await Assert.ThrowsAsync<WhisperModelException>(() => engine.TranscribeAsync(OneSecond(dir), "auto", CancellationToken.None));

        Assert.Contains(model, error.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_FailsWithWhisperNetsOwnError_WhenModelFileCorrupt_NativeRuntimeLoadsWithoutAModelHere()
    {
        using var dir = new TempDir();
        var model = dir.File("ggml-tiny.bin");
        File.WriteAllText(model, "this is not a ggml model");
        using var engine = Create(model);

        var error = await Assert.ThrowsAsync<WhisperModelException>(() => engine.LoadAsync(CancellationToken.None));

        // Whisper.net's own load error (not DllNotFoundException): libwhisper.so was found and ran, and read the file.
        Assert.IsType<WhisperModelLoadException>(error.InnerException);
        Assert.Equal(RuntimeLibrary.Cpu, RuntimeOptions.LoadedLibrary);
    }

    [Fact]
    public async Task LoadAsync_WritesDownloadToModelPath_WhenFileMissing_FakeSourceAsNoModelIsReachableHere()
    {
        using var dir = new TempDir();
        var model = dir.File("models/ggml-tiny.bin");
        var asked = new List<GgmlType>();
        using var engine = new WhisperEngine(
            Options.Create(new WorkerOptions { Engine = WorkerOptions.Whisper, ModelPath = model, Model = "tiny", DownloadModel = true }),
            NullLogger<WhisperEngine>.Instance,
            (type, _) =>
            {
                asked.Add(type);
                return Task.FromResult<Stream>(new MemoryStream(new byte[2048]));
            });

        // The fake "download" is not a model, so loading fails after it is stored under the model's name.
        await Assert.ThrowsAsync<WhisperModelException>(() => engine.LoadAsync(CancellationToken.None));

        Assert.Equal([GgmlType.Tiny], asked);
        Assert.Equal(2048, new FileInfo(model).Length);
        Assert.False(File.Exists(model + ".download"));
    }

    [Theory]
    [InlineData("base", true, GgmlType.Base)]
    [InlineData("base.en", true, GgmlType.BaseEn)]
    [InlineData("large-v3-turbo", true, GgmlType.LargeV3Turbo)]
    [InlineData("3", false, default(GgmlType))]
    [InlineData("huge", false, default(GgmlType))]
    public void TryParseModel_ReadsGgmlModelNames(string name, bool ok, GgmlType expected)
    {
        Assert.Equal(ok, WhisperEngine.TryParseModel(name, out var type));
        Assert.Equal(expected, type);
    }

    [Fact]
    public void NameAndModel_AreReportedInAnswers()
    {
        using var engine = Create("/unused/ggml-base.bin");

        Assert.Equal("whisper", engine.Name);
        Assert.Equal("base", engine.Model);
    }
}
