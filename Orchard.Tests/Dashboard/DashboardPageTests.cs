using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Playwright;
using Orchard.Tests.Audio;
using Orchard.Tests.Functions.Orchestration;
using Orchard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchard.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser: Debian's chromium, headless, driven by Playwright (its node driver is bundled in
/// the NuGet package, under bin/.playwright; no browser is downloaded) against the local host as a separate process
/// with fake workers slow enough for progress to be seen. Screenshots land in <see cref="ArtifactsDirectory"/>.
/// </summary>
public sealed partial class DashboardPageTests : IDisposable
{
    /// <summary>Where Debian's package puts the browser; <c>ORCHARD_CHROMIUM</c> names another.</summary>
    private static readonly string Chromium = Environment.GetEnvironmentVariable("ORCHARD_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Generous for a loaded 2-core machine: every wait below ends as soon as its condition holds.</summary>
    private const float Patience = 120_000;

    private readonly TempDir dir = new();
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Screenshots of each run: Orchard.Tests/bin/&lt;configuration&gt;/net10.0/artifacts/dashboard/.</summary>
    public static string ArtifactsDirectory => Path.Combine(AppContext.BaseDirectory, "artifacts", "dashboard");

    public void Dispose()
    {
        http.Dispose();
        dir.Dispose();
    }

    [Fact]
    public async Task Dashboard_UploadsByDropInBlocks_ShowsProgressAndTranscript_AndALineSeeksThePlayer()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: scripts/services.sh up installs Debian's chromium (apt-get install chromium), or set ORCHARD_CHROMIUM.");
        await AllowBrowserUploadsAsync();
        await using var host = LocalHostProcess.Create(TestEnvironment.RedisConnectionString, TestEnvironment.StorageConnectionString, new Dictionary<string, string>
        {
            ["Dashboard__PollInterval"] = "00:00:00.250",
        });
        await host.StartAsync();
        await using var first = await FakeWorker.StartAsync(0.25);
        await using var second = await FakeWorker.StartAsync(0.4);
        await AddWorkerAsync(host, first.Url);
        await AddWorkerAsync(host, second.Url);
        var (path, bursts) = OrchestrationHarness.Recording(dir, 45, seed: 41);
        Directory.CreateDirectory(ArtifactsDirectory);
        File.Delete(Path.Combine(ArtifactsDirectory, "dashboard-failure.png"));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 860 }, AcceptDownloads = true });
        page.SetDefaultTimeout(Patience);
        var problems = new StringBuilder();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                problems.AppendLine(message.Text);
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                problems.AppendLine($"{response.Status} {response.Request.Method} {response.Url}");
            }
        };
        try
        {
            // Blocks of 64 KB through /uploads (the path of large files) so the upload itself shows progress.
            await page.GotoAsync($"{host.BaseUrl}/?blocks=1&block=65536");
            await Expect(page.Locator("#conn")).ToHaveTextAsync("live", new() { Timeout = Patience });
            await Expect(page.Locator("#workers tbody tr")).ToHaveCountAsync(2, new() { Timeout = Patience });
            await page.Locator("#purify").SetCheckedAsync(false);

            await DropAsync(page, path);

            await Expect(page.Locator("#upload-status")).ToContainTextAsync("accepted", new() { Timeout = Patience });
            await Expect(page.Locator("#upload-progress")).ToHaveJSPropertyAsync("value", 1, new() { Timeout = Patience });

            // Progress by audio seconds moves: some but not all of the recording is transcribed, then all of it.
            await page.WaitForFunctionAsync(
                "() => { const b = document.querySelector('#detail-progress'); return b && +b.dataset.doneMs > 0 && +b.dataset.doneMs < +b.dataset.totalMs; }",
                null,
                new() { Timeout = Patience, PollingInterval = 50 });
            await page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsDirectory, "dashboard-running.png") });
            await Expect(page.Locator("#detail-status")).ToHaveTextAsync("completed", new() { Timeout = Patience });
            await Expect(page.Locator("#detail-progress")).ToHaveAttributeAsync("data-done-ms", new Regex("^[1-9]"));
            Assert.Equal(await page.Locator("#detail-progress").GetAttributeAsync("data-total-ms"), await page.Locator("#detail-progress").GetAttributeAsync("data-done-ms"));

            // The transcript appears, one line per burst of speech, on the original timeline.
            var lines = page.Locator("#transcript li[data-start-ms]");
            await Expect(lines).ToHaveCountAsync(bursts.Count, new() { Timeout = Patience });

            // The player reads the recording through the ranged audio endpoint.
            await page.WaitForFunctionAsync("() => document.querySelector('#player').readyState >= 1", null, new() { Timeout = Patience });
            var duration = await page.EvaluateAsync<double>("() => document.querySelector('#player').duration");
            Assert.InRange(duration, 44.5, 45.5);

            // Clicking a line seeks the player to the line's start, and the line is the current one.
            var line = lines.Nth(2);
            var startMs = double.Parse((await line.GetAttributeAsync("data-start-ms"))!, CultureInfo.InvariantCulture);
            Assert.InRange(startMs, bursts[2].StartMs - 50, bursts[2].StartMs + 50);
            await line.ClickAsync();
            await page.WaitForFunctionAsync(
                "start => { const p = document.querySelector('#player'); return !p.seeking && p.currentTime >= start - 0.05 && p.currentTime < start + 1.5; }",
                startMs / 1000,
                new() { Timeout = Patience, PollingInterval = 20 });
            await Expect(line).ToHaveClassAsync(new Regex("current"), new() { Timeout = Patience });
            await page.EvaluateAsync("() => document.querySelector('#player').pause()");

            // Downloads come from the same transcript endpoint, with the key in a header.
            var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("button[data-format=srt]").ClickAsync());
            var srt = await File.ReadAllTextAsync((await download.PathAsync())!);
            Assert.Equal(bursts.Count, SrtCue().Matches(srt).Count);
            await page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsDirectory, "dashboard-transcript.png") });
            Assert.True(problems.Length == 0, $"The page logged errors: {problems}");
        }
        catch
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsDirectory, "dashboard-failure.png") });
            await File.WriteAllTextAsync(Path.Combine(ArtifactsDirectory, "local-host-output.txt"), host.Output + "\n--- page console errors ---\n" + problems);
            throw;
        }
    }

    /// <summary>A file dropped on the drop zone as a user drags one in: a real <c>drop</c> event carrying a <c>DataTransfer</c>.</summary>
    private static async Task DropAsync(IPage page, string path)
    {
        var transfer = await page.EvaluateHandleAsync(
            """
            ([data, name]) => {
              const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
              const transfer = new DataTransfer();
              transfer.items.add(new File([bytes], name, { type: "audio/wav" }));
              return transfer;
            }
            """,
            new object[] { Convert.ToBase64String(await File.ReadAllBytesAsync(path)), Path.GetFileName(path) });
        await page.Locator("#drop").DispatchEventAsync("dragover", new Dictionary<string, object> { ["dataTransfer"] = transfer });
        await page.Locator("#drop").DispatchEventAsync("drop", new Dictionary<string, object> { ["dataTransfer"] = transfer });
    }

    /// <summary>
    /// The page's blocks go straight to storage from another origin, which the storage account must allow (in Azure,
    /// <c>corsAllowedOrigins</c> of the deployment); here Azurite is told so.
    /// </summary>
    private static async Task AllowBrowserUploadsAsync()
    {
        var service = new BlobServiceClient(TestEnvironment.StorageConnectionString);
        var properties = (await service.GetPropertiesAsync()).Value;
        properties.Cors = [new BlobCorsRule { AllowedOrigins = "*", AllowedMethods = "PUT,OPTIONS", AllowedHeaders = "*", ExposedHeaders = "*", MaxAgeInSeconds = 60 }];
        await service.SetPropertiesAsync(properties);
    }

    private async Task AddWorkerAsync(LocalHostProcess host, string url)
    {
        using var content = new StringContent($"{{\"url\":\"{url}\"}}", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync($"{host.BaseUrl}/workers/add", content);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex(@"^\d\d:\d\d:\d\d,\d{3} --> ", RegexOptions.Multiline)]
    private static partial Regex SrtCue();
}
