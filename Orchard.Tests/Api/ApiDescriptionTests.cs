using System.Net;
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
    private static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];
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
    public void Document_AnswersEveryErrorWithTheErrorShape()
    {
        var document = OpenApiDocument.Current;
        var errors = document.Paths.SelectMany(p => p.Value!.AsObject().Where(o => Methods.Contains(o.Key))
            .SelectMany(o => o.Value!["responses"]!.AsObject().Where(r => int.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture) >= 400)
                .Select(r => (Where: $"{o.Key.ToUpperInvariant()} {p.Key} {r.Key}", Ref: (string?)r.Value!["$ref"])))).ToArray();

        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.True(e.Ref == "#/components/responses/Error", $"{e.Where} does not answer the error shape"));
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
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Dispatch:MaxAttempts"] = "1" });
        await using var worker = await FakeWorker.StartAsync();
        var checks = new LiveChecks(host.Client);

        await checks.SendAsync("/workers/add", "POST", Json(new { url = worker.Url }), 200);
        await checks.SendAsync("/workers/add", "POST", Json(new { url = worker.Url }), 400);
        await checks.SendAsync("/workers", "POST", Json(new { url = "http://127.0.0.1:9", name = "phone", model = "tiny" }), 200, "workers");
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
        var accepted = await checks.SendAsync("/jobs", "POST", new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(path)), "file", "talk.wav" } }, 202, "jobs?language=en");
        var jobId = (string)accepted!["job_id"]!;
        await checks.SendAsync("/jobs/{id}", "GET", null, 200, $"jobs/{jobId}");
        var failed = await host.PollUntilFinishedAsync(jobId);
        worker.FailsOn = null;
        using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(OrchestrationHarness.Recording(dir, 24, seed: 62).Path)), "file", "lecture.wav" } };
        var completedId = (string)(await checks.SendAsync("/submit", "POST", form, 202))!["job_id"]!;
        var completed = await host.PollUntilFinishedAsync(completedId);
        await checks.SendAsync("/jobs/{id}", "GET", null, 200, $"jobs/{jobId}");
        await checks.SendAsync("/jobs/{id}", "GET", null, 200, $"jobs/{completedId}");
        await checks.SendAsync("/jobs/{id}", "GET", null, 404, "jobs/0000");
        await checks.SendAsync("/jobs/{id}/transcript", "GET", null, 200, $"jobs/{jobId}/transcript?format=json");
        await checks.SendAsync("/jobs/{id}/transcript", "GET", null, 200, $"jobs/{completedId}/transcript");
        await checks.SendAsync("/jobs/{id}/transcript", "GET", null, 200, $"jobs/{completedId}/transcript?format=vtt", "text/vtt");
        await checks.SendAsync("/jobs/{id}/transcript", "GET", null, 400, $"jobs/{completedId}/transcript?format=docx");
        await checks.SendAsync("/jobs", "GET", null, 200);
        await checks.SendAsync("/jobs", "GET", null, 200, "jobs?view=summary&limit=1");
        await checks.SendAsync("/jobs", "GET", null, 400, "jobs?limit=0");
        await checks.SendAsync("/stats", "GET", null, 200);
        await checks.SendAsync("/workers", "GET", null, 200);
        await checks.SendAsync("/jobs/{id}", "DELETE", null, 200, $"jobs/{completedId}");
        await checks.SendAsync("/workers/{id}", "DELETE", null, 200, $"workers/{Uri.EscapeDataString("http://127.0.0.1:9")}");
        await checks.SendAsync("/workers/{id}", "DELETE", null, 404, "workers/nobody");
        await checks.SendAsync("/workers/remove", "POST", Json(new { url = worker.Url }), 200);
        await checks.SendAsync("/workers/remove", "POST", Json(new { url = worker.Url }), 400);
        var served = await checks.SendAsync("/openapi.json", "GET", null, 200);

        Assert.Equal("failed", (string?)failed["status"]);
        Assert.True((bool)failed["result"]!["partial"]!);
        Assert.Equal("completed", (string?)completed["status"]);
        Assert.Equal("3.1.0", (string?)served!["openapi"]);
        Assert.True(checks.Failures.Count == 0, string.Join("\n", checks.Failures));
        var exercised = checks.Exercised.Select(e => e.Split(' ')[0] + " " + e.Split(' ')[1]).ToHashSet();
        var operations = OpenApiDocument.Current.Paths.SelectMany(p => p.Value!.AsObject().Where(o => Methods.Contains(o.Key)).Select(o => $"{o.Key.ToUpperInvariant()} {p.Key}"));
        Assert.Empty(operations.Except(exercised));
    }

    private static StringContent Json(object value) => JsonContent(System.Text.Json.JsonSerializer.Serialize(value));

    private static StringContent JsonContent(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Template(string route) => "/" + RouteParameter().Replace(route, "{$1}");

    [GeneratedRegex(@"\{(\w+)(:[^}]*)?\}")]
    private static partial Regex RouteParameter();

    /// <summary>Calls the live host and checks each answer: its status is one the document lists, its body fits the schema there.</summary>
    private sealed class LiveChecks(HttpClient client)
    {
        public List<string> Failures { get; } = [];

        public List<string> Exercised { get; } = [];

        public async Task<JsonNode?> SendAsync(string template, string method, HttpContent? content, int expected, string? path = null, string mediaType = "application/json")
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path ?? template.TrimStart('/'), UriKind.Relative)) { Content = content };
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var where = $"{method} {template} {(int)response.StatusCode}";
            Exercised.Add(where);
            if ((int)response.StatusCode != expected)
            {
                Failures.Add($"{where}: expected {expected}: {text}");
                return null;
            }

            var contentType = response.Content.Headers.ContentType?.MediaType;
            if (contentType != mediaType)
            {
                Failures.Add($"{where}: answered {contentType}, the test expected {mediaType}");
            }

            var schema = OpenApiDocument.Current.ResponseSchema(template, method, expected, contentType ?? mediaType);
            if (schema is null || schema.EndsWith("/content/none", StringComparison.Ordinal))
            {
                Failures.Add($"{where}: the document lists no {contentType} answer for this status");
                return null;
            }

            var body = contentType == "application/json" ? JsonNode.Parse(text) : JsonValue.Create(text);
            Failures.AddRange(OpenApiDocument.Current.Validate(schema, body).Select(e => $"{where}: {e}"));
            return body;
        }
    }
}
