using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Orchard.LocalHost.Functions;
using Orchard.Tests.Audio;
using Orchard.Tests.Functions.Orchestration;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Api;

/// <summary>The OpenAPI document (<c>GET /openapi.json</c>) against the functions that exist and the answers they give.</summary>
public sealed partial class ApiDescriptionTests : IDisposable
{
    private static readonly string[] Methods = ["get", "head", "post", "put", "patch", "delete"];
    private static readonly string EnrollmentSecret = new('e', 32);
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Document_DescribesEveryHttpFunction_WithItsRouteAndMethods()
    {
        var document = OpenApiDocument.Current;
        var functions = FunctionMetadata.Read(FunctionMetadata.DefaultPath).Where(f => f.IsHttp).ToArray();
        var routes = functions.SelectMany(f => f.Trigger!.Methods!.Select(m => (Template: Template(f.Trigger.Route!), Method: m.ToLowerInvariant(), f.Name))).ToArray();

        var undescribed = routes.Where(r => (string?)document.Operation(r.Template, r.Method)?["operationId"] != r.Name)
            .Select(r => $"{r.Method.ToUpperInvariant()} {r.Template} ({r.Name})").ToArray();
        var stale = document.Paths.SelectMany(p => p.Value!.AsObject().Where(o => Methods.Contains(o.Key)).Select(o => (Template: p.Key, Method: o.Key)))
            .Where(d => !routes.Any(r => r.Template == d.Template && r.Method == d.Method))
            .Select(d => $"{d.Method.ToUpperInvariant()} {d.Template}").ToArray();

        Assert.True(functions.Length >= 17, $"{functions.Length} HTTP functions");
        Assert.True(undescribed.Length == 0, "Not in openapi.json (Orchard.Domain/Api): " + string.Join(", ", undescribed));
        Assert.True(stale.Length == 0, "In openapi.json but no function serves it: " + string.Join(", ", stale));
    }

    [Fact]
    public void Document_AsksForTheFunctionKey_ExactlyWhereTheHostDoes()
    {
        var document = OpenApiDocument.Current;
        var functions = FunctionMetadata.Read(FunctionMetadata.DefaultPath).Where(f => f.IsHttp).ToArray();

        var wrong = functions.SelectMany(f => f.Trigger!.Methods!.Select(m => (f.Name, Function: string.Equals(f.Trigger.AuthLevel, "Function", StringComparison.OrdinalIgnoreCase),
                Security: (document.Operation(Template(f.Trigger.Route!), m)?["security"] ?? document.Root["security"])!.AsArray())))
            .Where(o => o.Function != o.Security.Any(s => s!.AsObject().ContainsKey("functionKey")))
            .Select(o => $"{o.Name} ({(o.Function ? "needs the key" : "anonymous")} at the host)").ToArray();

        Assert.Contains(functions, f => string.Equals(f.Trigger!.AuthLevel, "Anonymous", StringComparison.OrdinalIgnoreCase));
        Assert.True(wrong.Length == 0, "Security in openapi.json differs from the host: " + string.Join(", ", wrong));
    }

    [Fact]
    public void Document_AnswersEveryErrorWithTheErrorShape()
    {
        var document = OpenApiDocument.Current;
        var errors = document.Paths.SelectMany(p => p.Value!.AsObject().Where(o => Methods.Contains(o.Key))
            .SelectMany(o => o.Value!["responses"]!.AsObject().Where(r => int.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture) >= 400)
                .Select(r => (Where: $"{o.Key.ToUpperInvariant()} {p.Key} {r.Key}", Status: r.Key, Ref: (string?)r.Value!["$ref"])))).ToArray();

        // 416 is HTTP's own answer to a Range past the end (no body; Content-Range gives the length), which players expect.
        // A lost lease (409) is the error shape plus "cancelled", which tells a worker to drop the chunk.
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.True(
            e.Ref == "#/components/responses/Error" || (e.Status == "416" && e.Ref == "#/components/responses/RangeNotSatisfiable")
            || (e.Status == "409" && e.Ref == "#/components/responses/LeaseLost"), $"{e.Where} does not answer the error shape"));
        Assert.Null(document.Resolve("/components/responses/RangeNotSatisfiable")!["content"]);
        Assert.Empty(document.Validate("/components/schemas/Error", new JsonObject { ["error"] = "Job not found" }));
        Assert.NotEmpty(document.Validate("/components/schemas/Error", new JsonObject { ["message"] = "Job not found" }));
    }

    [Fact]
    public void Document_Examples_ValidateAgainstTheirSchemas()
    {
        var examples = OpenApiDocument.Current.Examples().ToArray();

        Assert.True(examples.Length >= 10, $"{examples.Length} examples");
        Assert.All(examples, e => Assert.True(OpenApiDocument.Current.Validate(e.SchemaPointer, e.Example) is [], $"{e.SchemaPointer}: {string.Join("; ", OpenApiDocument.Current.Validate(e.SchemaPointer, e.Example))}"));
    }

    [Fact]
    public void Document_DescribesTheWorkerContract_TheMasterPushesChunksTo()
    {
        var transcribe = OpenApiDocument.Current.Root["webhooks"]!["transcribe"]!["post"]!;
        var answer = new JsonObject { ["segments"] = new JsonArray(new JsonObject { ["start_ms"] = 0, ["end_ms"] = 900, ["text"] = "hello" }), ["text"] = "hello" };

        Assert.NotNull(transcribe["requestBody"]!["content"]!["audio/wav"]);
        Assert.Empty(OpenApiDocument.Current.Validate("/components/schemas/WorkerAnswer", answer));
        Assert.NotEmpty(OpenApiDocument.Current.Validate("/components/schemas/WorkerAnswer", new JsonObject { ["hello"] = "world" }));
    }

    [Fact]
    public async Task LiveAnswers_ValidateAgainstTheDocument_ForEveryRoute()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["Dispatch:MaxAttempts"] = "1",
            ["Dashboard:StreamTokenKey"] = Convert.ToBase64String(Enumerable.Range(3, 32).Select(i => (byte)i).ToArray()),
            ["Dashboard:StreamDuration"] = "00:00:30",
            ["Webhooks:Secret"] = new string('s', 32),
            ["Workers:EnrollmentSecret"] = EnrollmentSecret,
        });
        await using var worker = await FakeWorker.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var checks = new LiveChecks(host.Client);

        await checks.SendAsync("/workers/add", "POST", Json(new { url = worker.Url }), 200);
        await checks.SendAsync("/workers/add", "POST", Json(new { url = worker.Url }), 400);
        await checks.SendAsync("/workers", "POST", Json(new { url = "http://127.0.0.1:9", name = "phone", model = "tiny", languages = new[] { "english" } }), 200, "workers");
        await checks.SendAsync("/workers", "POST", Json(new { name = new string('n', 101) }), 400, "workers");
        await checks.SendAsync("/workers", "POST", Json(new { name = "big", model = new string('m', 70 * 1024) }), 413, "workers");
        await checks.SendAsync("/workers/{id}/heartbeat", "POST", null, 200, $"workers/{Uri.EscapeDataString("http://127.0.0.1:9")}/heartbeat");
        await checks.SendAsync("/workers/{id}/heartbeat", "POST", null, 404, "workers/nobody/heartbeat");
        await checks.SendAsync("/preferences/purifier", "POST", Json(new { usePurifier = false }), 200);
        await checks.SendAsync("/preferences/purifier", "POST", Json(new { }), 400);
        await checks.SendAsync("/preferences/purifier", "GET", null, 200);
        await checks.SendAsync("/uploads", "POST", null, 201);
        await checks.SendAsync("/jobs", "POST", new ByteArrayContent(Encoding.UTF8.GetBytes("not a recording")), 415, "jobs?filename=notes.txt");
        await checks.SendAsync("/jobs", "POST", Json(new { blob = "" }), 400);
        await checks.SendAsync("/submit", "POST", Json(new { blob = "0123456789abcdef0123456789abcdef" }), 400);
        var (path, _, _) = OrchestrationHarness.RecordingWithLoudBurst(dir, 40, loudAt: 25, seed: 61);
        worker.FailsOn = OrchestrationHarness.IsLoud;
        var accepted = await checks.SendAsync(
            "/jobs", "POST", new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(path)), "file", "talk.wav" } }, 202, $"jobs?language=en&callback_url={Uri.EscapeDataString(receiver.Url)}");
        var jobId = (string)accepted!["job_id"]!;
        await checks.SendAsync("/jobs/{id}", "GET", null, 200, $"jobs/{jobId}");
        var failed = await host.PollUntilFinishedAsync(jobId);
        worker.FailsOn = null;
        using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(OrchestrationHarness.Recording(dir, 24, seed: 62).Path)), "file", "lecture.wav" } };
        var completedId = (string)(await checks.SendAsync("/submit", "POST", form, 202))!["job_id"]!;
        var completed = await host.PollUntilFinishedAsync(completedId);
        await Poll.UntilAsync(() => receiver.Deliveries.Count > 0, "the failed job's callback", attempts: 1200);
        var withCallback = await checks.SendAsync("/jobs/{id}", "GET", null, 200, $"jobs/{jobId}");
        await checks.SendAsync("/jobs/{id}", "GET", null, 200, $"jobs/{completedId}");
        await checks.SendAsync("/jobs/{id}", "GET", null, 404, "jobs/0000");
        await checks.SendAsync("/jobs/{id}/transcript", "GET", null, 200, $"jobs/{jobId}/transcript?format=json");
        await checks.SendAsync("/jobs/{id}/transcript", "GET", null, 200, $"jobs/{completedId}/transcript");
        await checks.SendAsync("/jobs/{id}/transcript", "GET", null, 200, $"jobs/{completedId}/transcript?format=vtt", "text/vtt");
        await checks.SendAsync("/jobs/{id}/transcript", "GET", null, 400, $"jobs/{completedId}/transcript?format=docx");
        await checks.SendAsync("/jobs", "GET", null, 200);
        await checks.SendAsync("/jobs", "GET", null, 304, mediaType: null, prepare: IfNoneMatch(checks.LastTag));
        await checks.SendAsync("/jobs", "GET", null, 200, "jobs?view=summary&limit=10");
        await checks.SendAsync("/jobs", "GET", null, 400, "jobs?limit=0");
        await checks.SendAsync("/stats", "GET", null, 200);
        var fleet = await checks.SendAsync("/workers", "GET", null, 200);
        await checks.SendAsync("/workers", "GET", null, 304, mediaType: null, prepare: IfNoneMatch(checks.LastTag));
        await checks.SendAsync("/health", "GET", null, 200);
        await checks.SendAsync("/", "GET", null, 200, mediaType: "text/html");
        await checks.SendAsync("/dashboard", "GET", null, 200, mediaType: "text/html");
        await checks.SendAsync("/dashboard/snapshot", "GET", null, 200);
        await checks.SendAsync("/dashboard/snapshot", "GET", null, 304, mediaType: null, prepare: IfNoneMatch(checks.LastTag));
        var streamToken = (string?)(await checks.SendAsync("/events/token", "POST", null, 200))?["token"];
        var audioToken = (string?)(await checks.SendAsync("/events/token", "POST", null, 200, $"events/token?job={jobId}"))?["token"];
        await checks.SendAsync("/events/token", "POST", null, 404, "events/token?job=..%2Fsecrets");
        await checks.SendAsync("/events", "GET", null, 401);
        var snapshot = await checks.FirstEventAsync("/events", $"events?token={streamToken}", "snapshot");
        var audio = $"jobs/{jobId}/audio?token={audioToken}";
        await checks.SendAsync("/jobs/{id}/audio", "GET", null, 200, audio, "audio/wav");
        await checks.SendAsync("/jobs/{id}/audio", "GET", null, 206, audio, "audio/wav", r => r.Headers.Range = new RangeHeaderValue(0, 99));
        await checks.SendAsync("/jobs/{id}/audio", "GET", null, 304, audio, null, IfNoneMatch(checks.LastTag));
        await checks.SendAsync("/jobs/{id}/audio", "GET", null, 416, audio, null, r => r.Headers.Range = new RangeHeaderValue(1L << 40, null));
        await checks.SendAsync("/jobs/{id}/audio", "GET", null, 401, $"jobs/{jobId}/audio?token={streamToken}");
        await checks.SendAsync("/jobs/{id}/audio", "HEAD", null, 200, audio, null);
        await checks.SendAsync("/jobs/{id}", "DELETE", null, 200, $"jobs/{completedId}");
        await checks.SendAsync("/workers/{id}", "DELETE", null, 200, $"workers/{Uri.EscapeDataString("http://127.0.0.1:9")}");
        await checks.SendAsync("/workers/{id}", "DELETE", null, 404, "workers/nobody");
        await checks.SendAsync("/workers/remove", "POST", Json(new { url = worker.Url }), 200);
        await checks.SendAsync("/workers/remove", "POST", Json(new { url = worker.Url }), 400);
        var client = await checks.SendAsync("/clients", "POST", Json(new { name = "lecture-app" }), 201);
        await checks.SendAsync("/clients", "POST", Json(new { name = "" }), 400);
        await checks.SendAsync("/clients", "GET", null, 200);
        var clientKey = (string)client!["key"]!;
        await checks.SendAsync("/jobs", "GET", null, 200, prepare: r => r.Headers.Add("X-Orchard-Key", clientKey));
        await checks.SendAsync("/jobs/{id}", "GET", null, 404, $"jobs/{jobId}", prepare: r => r.Headers.Add("X-Orchard-Key", clientKey));
        await checks.SendAsync("/stats", "GET", null, 403, prepare: r => r.Headers.Add("X-Orchard-Key", clientKey));
        await checks.SendAsync("/clients/{id}", "DELETE", null, 200, $"clients/{(string)client["id"]!}");
        await checks.SendAsync("/clients/{id}", "DELETE", null, 404, "clients/nobody");
        await checks.SendAsync("/jobs", "GET", null, 401, prepare: r => r.Headers.Add("X-Orchard-Key", clientKey));
        var enrolled = await checks.SendAsync(
            "/workers", "POST", Json(new { name = "volunteer", model = "tiny", id = "volunteer-1" }), 200, "workers", prepare: r => r.Headers.Add("X-Orchard-Enrollment", EnrollmentSecret));
        await checks.SendAsync(
            "/workers/{id}/heartbeat", "POST", null, 200, "workers/volunteer-1/heartbeat", prepare: r => r.Headers.Add("X-Orchard-Key", (string)enrolled!["token"]!));
        await checks.SendAsync(
            "/workers/{id}/heartbeat", "POST", null, 403, "workers/nobody/heartbeat", prepare: r => r.Headers.Add("X-Orchard-Key", (string)enrolled!["token"]!));
        await checks.SendAsync("/uploads", "POST", Json(new { bytes = 1L << 40 }), 413);

        // The pull protocol, by the enrolled worker with its own token (it has no URL: nothing is pushed to it).
        void WorkerToken(HttpRequestMessage r) => r.Headers.Add("X-Orchard-Key", (string)enrolled!["token"]!);
        foreach (var seed in new[] { 63, 64 })
        {
            using var pulled = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(OrchestrationHarness.Recording(dir, 20, seed: seed).Path)), "file", $"pull-{seed}.wav" } };
            await checks.SendAsync("/submit", "POST", pulled, 202);
        }

        var first = await checks.SendAsync("/workers/{id}/lease", "POST", Json(new { wait_seconds = 25 }), 200, "workers/volunteer-1/lease", prepare: WorkerToken);
        var firstLease = (string)first!["lease_id"]!;
        await checks.SendAsync("/leases/{lease}/audio", "GET", null, 200, $"leases/{firstLease}/audio", "audio/wav", WorkerToken);
        await checks.SendAsync("/leases/{lease}/heartbeat", "POST", null, 200, $"leases/{firstLease}/heartbeat", prepare: WorkerToken);
        await checks.SendAsync("/leases/{lease}/result", "POST", Json(new { text = "hello", segments = new[] { new { start = "00:00:00.000", end = "00:00:01.000", start_ms = 0, end_ms = 1000, text = "hello" } } }), 200, $"leases/{firstLease}/result", prepare: WorkerToken);
        var second = await checks.SendAsync("/workers/{id}/lease", "POST", Json(new { wait_seconds = 25 }), 200, "workers/volunteer-1/lease", prepare: WorkerToken);
        var secondLease = (string)second!["lease_id"]!;
        await checks.SendAsync("/leases/{lease}/fail", "POST", Json(new { reason = "out of memory" }), 200, $"leases/{secondLease}/fail", prepare: WorkerToken);
        await checks.SendAsync("/leases/{lease}/result", "POST", Json(new { text = "late" }), 409, $"leases/{secondLease}/result", prepare: WorkerToken);
        await checks.SendAsync("/leases/{lease}/heartbeat", "POST", null, 409, $"leases/{secondLease}/heartbeat", prepare: WorkerToken);
        await checks.SendAsync("/leases/{lease}/fail", "POST", null, 409, "leases/nobody/fail", prepare: WorkerToken);
        await checks.SendAsync("/workers/{id}/lease", "POST", Json(new { wait_seconds = 0 }), 403, "workers/someone-else/lease", prepare: WorkerToken);
        var served = await checks.SendAsync("/openapi.json", "GET", null, 200);

        Assert.Equal("failed", (string?)failed["status"]);
        Assert.True((bool)failed["result"]!["partial"]!);
        Assert.Equal("completed", (string?)completed["status"]);
        Assert.Equal("3.1.0", (string?)served!["openapi"]);
        Assert.Equal(receiver.Url, (string?)withCallback?["callback_url"]);
        Assert.Contains(fleet!["workers"]!.AsArray(), w => w!["languages"] is JsonArray { Count: 1 } languages && (string?)languages[0] == "en");
        Assert.Contains(snapshot!["jobs"]!.AsArray(), j => (string?)j!["job_id"] == jobId);
        var delivery = receiver.Deliveries[0];
        Assert.Empty(OpenApiDocument.Current.Validate("/webhooks/jobCallback/post/requestBody/content/application~1json/schema", JsonNode.Parse(delivery.Body)));
        Assert.Empty(OpenApiDocument.Current.Validate("/webhooks/jobCallback/post/parameters/1/schema", JsonValue.Create(delivery.Signature)));
        Assert.Empty(OpenApiDocument.Current.Validate("/webhooks/jobCallback/post/parameters/0/schema", JsonValue.Create(delivery.Event)));
        Assert.True(checks.Failures.Count == 0, string.Join("\n", checks.Failures));
        var exercised = checks.Exercised.Select(e => e.Split(' ')[0] + " " + e.Split(' ')[1]).ToHashSet();
        var operations = OpenApiDocument.Current.Paths.SelectMany(p => p.Value!.AsObject().Where(o => Methods.Contains(o.Key)).Select(o => $"{o.Key.ToUpperInvariant()} {p.Key}"));
        Assert.Empty(operations.Except(exercised));
    }

    private static Action<HttpRequestMessage> IfNoneMatch(EntityTagHeaderValue? tag) => r => r.Headers.IfNoneMatch.Add(tag ?? EntityTagHeaderValue.Any);

    private static StringContent Json(object value) => JsonContent(System.Text.Json.JsonSerializer.Serialize(value));

    private static StringContent JsonContent(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>The OpenAPI path of a Functions route; a lone optional parameter that must be empty is the host's form of "/".</summary>
    private static string Template(string route) => EmptyRoute().IsMatch(route) ? "/" : "/" + RouteParameter().Replace(route, "{$1}");

    [GeneratedRegex(@"\{(\w+)(:[^}]*)?\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex(@"^\{\w+:maxlength\(0\)\?\}$")]
    private static partial Regex EmptyRoute();

    /// <summary>Calls the live host and checks each answer: its status is one the document lists, its body fits the schema there.</summary>
    private sealed class LiveChecks(HttpClient client)
    {
        private const int MaxStreamLines = 100;

        public List<string> Failures { get; } = [];

        public List<string> Exercised { get; } = [];

        /// <summary>The ETag of the last answer, for a conditional request after it.</summary>
        public EntityTagHeaderValue? LastTag { get; private set; }

        /// <summary>
        /// Sends and checks one request; <paramref name="mediaType"/> null expects an answer without a body (304, HEAD, 416),
        /// which the document must list without content.
        /// </summary>
        public async Task<JsonNode?> SendAsync(
            string template, string method, HttpContent? content, int expected, string? path = null, string? mediaType = "application/json", Action<HttpRequestMessage>? prepare = null)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path ?? template.TrimStart('/'), UriKind.Relative)) { Content = content };
            prepare?.Invoke(request);
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var where = $"{method} {template} {(int)response.StatusCode}";
            Exercised.Add(where);
            LastTag = response.Headers.ETag;
            if ((int)response.StatusCode != expected)
            {
                Failures.Add($"{where}: expected {expected}: {text}");
                return null;
            }

            if (mediaType is null)
            {
                CheckNoBody(template, method, expected, where, text);
                return null;
            }

            var contentType = response.Content.Headers.ContentType?.MediaType;
            if (contentType != mediaType)
            {
                Failures.Add($"{where}: answered {contentType}, the test expected {mediaType}");
            }

            return Check(template, method, expected, contentType ?? mediaType, where, text);
        }

        /// <summary>
        /// Opens a Server-Sent Events stream and checks it up to its first event with data, which must fit the schema the
        /// document gives that event (<c>x-event-data</c>); then closes it. Bounded in lines and time.
        /// </summary>
        public async Task<JsonNode?> FirstEventAsync(string template, string path, string eventName)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var where = $"GET {template} {(int)response.StatusCode}";
            Exercised.Add(where);
            var contentType = response.Content.Headers.ContentType?.MediaType;
            var schema = OpenApiDocument.Current.ResponseSchema(template, "get", 200, "text/event-stream");
            if (response.StatusCode != HttpStatusCode.OK || contentType != "text/event-stream" || schema is null || schema.EndsWith("/content/none", StringComparison.Ordinal))
            {
                Failures.Add($"{where}: answered {contentType}, the test expected a text/event-stream the document lists");
                return null;
            }

            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
            string? current = null;
            for (var read = 0; read < MaxStreamLines && await reader.ReadLineAsync(timeout.Token) is { } line; read++)
            {
                current = line.StartsWith("event: ", StringComparison.Ordinal) ? line["event: ".Length..] : line.Length == 0 ? null : current;
                if (current == eventName && line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    var data = JsonNode.Parse(line["data: ".Length..]);
                    var eventSchema = $"{schema[..^"/schema".Length]}/x-event-data/{eventName}";
                    Failures.AddRange(OpenApiDocument.Current.Validate(eventSchema, data).Select(e => $"{where} event {eventName}: {e}"));
                    return data;
                }
            }

            Failures.Add($"{where}: no {eventName} event in the first {MaxStreamLines} lines");
            return null;
        }

        private JsonNode? Check(string template, string method, int status, string mediaType, string where, string text)
        {
            var schema = OpenApiDocument.Current.ResponseSchema(template, method, status, mediaType);
            if (schema is null || schema.EndsWith("/content/none", StringComparison.Ordinal))
            {
                Failures.Add($"{where}: the document lists no {mediaType} answer for this status");
                return null;
            }

            var body = mediaType == "application/json" ? JsonNode.Parse(text) : JsonValue.Create(text);
            Failures.AddRange(OpenApiDocument.Current.Validate(schema, body).Select(e => $"{where}: {e}"));
            return body;
        }

        private void CheckNoBody(string template, string method, int status, string where, string text)
        {
            if (OpenApiDocument.Current.Response(template, method, status) is not var (_, response))
            {
                Failures.Add($"{where}: the document does not list this status");
            }
            else if (response["content"] is not null)
            {
                Failures.Add($"{where}: the document lists a body for an answer that has none");
            }

            if (text.Length > 0)
            {
                Failures.Add($"{where}: expected no body, got {text.Length} characters");
            }
        }
    }
}
